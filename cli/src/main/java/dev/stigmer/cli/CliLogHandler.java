package dev.stigmer.cli;

import dev.stigmer.logs.LogFile;
import dev.stigmer.state.StigmerHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sends what the shared code logs (e.g. "ignoring unreadable state file") to logs/cli.log
 * instead of the JDK's default console handler, which would print it on the user's stderr as a
 * two-line record with exception class names. The user sees only the CLI's own one-line messages.
 * <p>
 * Installed lazily, as java.util.logging's configuration class: the logging system costs ~30 ms
 * to start, which a CLI run that logs nothing should not pay.
 */
public final class CliLogHandler extends Handler {
    private final SimpleFormatter messages = new SimpleFormatter();

    /** Called by java.util.logging when it first starts, instead of reading logging.properties. */
    public CliLogHandler() {
        Logger.getLogger("").addHandler(this);
    }

    static void install() {
        System.setProperty("java.util.logging.config.class", CliLogHandler.class.getName());
    }

    /** Appends {@code error} with its stack trace; returns the log's path, or null if it cannot be written. */
    static Path unexpected(Throwable error) {
        Path log = StigmerHome.fromEnvironment().logFile("cli");
        java.io.StringWriter trace = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(trace));
        try {
            append(log, Instant.now() + " ERROR " + trace);
            return log;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        try {
            append(StigmerHome.fromEnvironment().logFile("cli"), Instant.now() + " " + record.getLevel() + " "
                    + record.getLoggerName() + ": " + messages.formatMessage(record) + "\n");
        } catch (IOException | RuntimeException ignored) {
            // the log is a courtesy: a home we cannot write is reported by the command itself
        }
    }

    /** Like every log of ours: 0600 in a 0700 logs/, never written through a symbolic link. */
    private static void append(Path log, String text) throws IOException {
        Files.createDirectories(log.getParent(),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        LogFile.append(log, text);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
