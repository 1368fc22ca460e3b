package dev.stigmer.cli;

import dev.stigmer.logs.LogTail;
import dev.stigmer.os.Linux;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print the end of a log under $STIGMER_HOME/logs (rotated at 10 MB, 3 kept).")
final class LogsCommand implements Callable<Integer> {
    private static final List<String> NAMES = List.of("temporal", "daemon");
    /** Stdout was closed: the exit status of a process killed by SIGPIPE, as `cat | head` gives. */
    static final int OUTPUT_CLOSED = 141;
    private static final int STDOUT = 1;

    @Parameters(index = "0", arity = "0..1", defaultValue = "temporal", paramLabel = "NAME",
            description = "temporal (default) or daemon.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C (or until whatever reads them stops).")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "100",
            description = "How many lines to print first (default: ${DEFAULT-VALUE}).")
    int lines;

    @Override
    public Integer call() throws IOException {
        if (!NAMES.contains(name)) {
            throw new UserError("no log named '" + name + "': choose one of " + String.join(", ", NAMES), UserError.USAGE);
        }
        if (lines < 0) {
            throw new UserError("--lines must not be negative, got " + lines, UserError.USAGE);
        }
        Path log = StigmerHome.fromEnvironment().logFile(name);
        if (!Files.exists(log) && !follow) {
            System.err.println("No " + name + " log yet (" + log + "): run `stigmer local` first.");
            return 0;
        }
        for (String line : LogTail.lastLines(log, lines)) {
            System.out.println(line);
            if (System.out.checkError()) {
                return OUTPUT_CLOSED;
            }
        }
        return follow ? follow(log) : 0;
    }

    /**
     * Prints what is appended; starts over when the file is truncated by rotation. Returns when
     * stdout is closed (`| head -1`): noticed on the next write, and while nothing is written,
     * by waiting on stdout itself rather than sleeping.
     */
    private static int follow(Path log) throws IOException {
        long offset = Files.exists(log) ? Files.size(log) : 0;
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            long size = Files.exists(log) ? Files.size(log) : 0;
            if (size < offset) {
                offset = 0;
            }
            if (size > offset) {
                try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                    file.seek(offset);
                    int read;
                    while ((read = file.read(buffer)) > 0) {
                        System.out.write(buffer, 0, read);
                        offset += read;
                    }
                }
                if (System.out.checkError()) { // flushes, then says whether a write failed (EPIPE)
                    return OUTPUT_CLOSED;
                }
            }
            if (Linux.awaitOutputClosed(STDOUT, 200)) {
                return OUTPUT_CLOSED;
            }
        }
    }
}
