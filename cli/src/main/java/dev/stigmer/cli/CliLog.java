package dev.stigmer.cli;

import dev.stigmer.state.StigmerHome;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The CLI's details (warnings about ignored state files, unexpected errors with their stack
 * traces) go to $STIGMER_HOME/logs/cli.log, never to the user's terminal.
 */
final class CliLog extends Handler {
    private final Path file;

    private CliLog(Path file) {
        this.file = file;
    }

    static void install() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        root.addHandler(new CliLog(StigmerHome.fromEnvironment().logFile("cli")));
        root.setLevel(Level.WARNING);
    }

    /** Appends {@code error} with its stack trace; returns the log's path, or null if it cannot be written. */
    static Path unexpected(Throwable error) {
        Path file = StigmerHome.fromEnvironment().logFile("cli");
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        return append(file, Instant.now() + " ERROR " + trace) ? file : null;
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder().append(Instant.ofEpochMilli(record.getMillis())).append(' ')
                .append(record.getLevel()).append(' ').append(record.getMessage()).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        append(file, line.toString());
    }

    private static boolean append(Path file, String text) {
        try {
            if (!Files.isDirectory(file.getParent())) {
                return false; // no home yet: nothing worth creating one for
            }
            Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
