package dev.stigmer.cli;

import dev.stigmer.config.TemporalDefaults;
import dev.stigmer.logs.LogFollower;
import dev.stigmer.logs.LogTail;
import dev.stigmer.os.FileErrors;
import dev.stigmer.os.OsException;
import dev.stigmer.os.Linux;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print the end of logs under $STIGMER_HOME/logs (rotated at 10 MB, 3 kept).",
                "One name: its log as it is. Several, or none (every component's log: Temporal and the stack's "
                        + "services): each line prefixed `name | `, coloured on a terminal; with -f, interleaved "
                        + "as they are written."})
final class LogsCommand implements Callable<Integer> {
    /** Stdout was closed: the exit status of a process killed by SIGPIPE, as `cat | head` gives. */
    static final int OUTPUT_CLOSED = dev.stigmer.config.ExitCodes.OUTPUT_CLOSED;
    private static final int STDOUT = 1;
    private static final String DAEMON = "daemon";
    private static final String CLI = "cli";
    private static final String[] COLOURS = {"36", "33", "35", "32", "34", "31", "96", "93", "95", "92"};

    @Parameters(arity = "0..*", paramLabel = "NAME",
            description = "temporal, daemon or a service; none: every component's log.")
    List<String> names = new ArrayList<>();

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C (or until whatever reads them stops).")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "100",
            description = "How many lines of each log to print first (default: ${DEFAULT-VALUE}).")
    int lines;

    /** One log being printed, and how its lines are marked. */
    private record Source(String name, Path file, String prefix) {
    }

    @Override
    public Integer call() throws IOException {
        try {
            return print();
        } catch (java.nio.file.FileSystemException e) { // its message is only the path: say why, and what to do
            throw new UserError("cannot read " + FileErrors.describe(e) + (e instanceof java.nio.file.AccessDeniedException
                    ? "; run this as the user who runs stigmer local, or give yourself access (`chmod u+rwx "
                    + e.getFile() + "`)" : ""));
        }
    }

    private int print() throws IOException {
        if (lines < 0) {
            throw new UserError("--lines must not be negative, got " + lines, UserError.USAGE);
        }
        StigmerHome home = StigmerHome.fromEnvironment();
        Set<String> known = knownLogs(home);
        List<String> selected = names.isEmpty() ? defaultLogs(known) : names;
        for (String name : selected) {
            if (!known.contains(name)) {
                throw new UserError("no log named '" + name + "': choose one of " + String.join(", ", known), UserError.USAGE);
            }
        }
        boolean prefixed = selected.size() > 1;
        boolean colour = prefixed && System.console() != null && System.console().isTerminal();
        int width = selected.stream().mapToInt(String::length).max().orElse(0);
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < selected.size(); i++) {
            String name = selected.get(i);
            String label = String.format("%-" + width + "s | ", name);
            String prefix = !prefixed ? "" : colour ? "\033[" + COLOURS[i % COLOURS.length] + "m" + label + "\033[0m" : label;
            sources.add(new Source(name, home.logFile(name), prefix));
        }
        if (!follow && sources.stream().noneMatch(s -> Files.exists(s.file()))) {
            System.err.println("No " + String.join(", ", selected) + " log yet (" + home.logsDir()
                    + "): run `stigmer local` first.");
            return 0;
        }
        // Followers first, the tails up to where each starts: no line is lost or shown twice between them.
        List<LogFollower> followers = follow ? sources.stream().map(s -> LogFollower.fromEnd(s.file())).toList() : null;
        for (int i = 0; i < sources.size(); i++) {
            Source source = sources.get(i);
            long end = follow ? followers.get(i).liveOffset() : Long.MAX_VALUE;
            for (String line : LogTail.lastLines(source.file(), lines, end)) {
                System.out.println(source.prefix() + line);
                if (System.out.checkError()) {
                    return OUTPUT_CLOSED;
                }
            }
        }
        System.out.flush();
        return follow ? follow(sources, followers) : 0;
    }

    /** temporal and daemon always; every other log in logs/ is a service's (cli.log is the CLI's own). */
    private static Set<String> knownLogs(StigmerHome home) throws IOException {
        Set<String> known = new LinkedHashSet<>(List.of(TemporalDefaults.NAME, DAEMON));
        if (Files.isDirectory(home.logsDir())) {
            try (Stream<Path> files = Files.list(home.logsDir())) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
                        .map(n -> n.substring(0, n.length() - ".log".length())).filter(n -> !n.equals(CLI))
                        .sorted().forEach(known::add);
            }
        }
        return known;
    }

    /** Without names: Temporal's log and every service's, not the daemon's own. */
    private static List<String> defaultLogs(Set<String> known) {
        List<String> logs = new ArrayList<>(List.of(TemporalDefaults.NAME));
        known.stream().filter(n -> !n.equals(TemporalDefaults.NAME) && !n.equals(DAEMON)).forEach(logs::add);
        return logs;
    }

    /**
     * Prints what is appended to each log, a whole line at a time with its prefix, across
     * rotations ({@link LogFollower}), as fast as it is written: it reads until nothing is left,
     * then sleeps until the kernel says a log changed (inotify). Returns when stdout is closed
     * (`| head -1`): noticed on the next write, and while nothing is written, by polling stdout.
     */
    private static int follow(List<Source> sources, List<LogFollower> followers) throws IOException {
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 256 * 1024);
        byte[][] prefixes = sources.stream().map(s -> s.prefix().getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        long[] skipped = new long[sources.size()];
        Path dir = sources.getFirst().file().toAbsolutePath().getParent();
        Files.createDirectories(dir);
        try (WatchService changes = FileSystems.getDefault().newWatchService()) {
            dir.register(changes, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            while (true) {
                boolean read = false;
                for (int i = 0; i < sources.size(); i++) {
                    byte[] prefix = prefixes[i];
                    read |= followers.get(i).poll(prefix.length == 0 ? out::write
                            : (block, from, size) -> LogFollower.eachLine(block, from, size, (bytes, offset, length) -> {
                                out.write(prefix);
                                out.write(bytes, offset, length);
                                out.write('\n');
                            })) > 0;
                    if (followers.get(i).skippedBytes() != skipped[i]) {
                        out.flush();
                        System.err.println("stigmer: " + (followers.get(i).skippedBytes() - skipped[i]) + " bytes of "
                                + sources.get(i).name() + "'s log were rotated away before they could be printed");
                        skipped[i] = followers.get(i).skippedBytes();
                    }
                }
                if (read) {
                    continue;
                }
                out.flush();
                if (Linux.awaitOutputClosed(STDOUT, 0)) {
                    return OUTPUT_CLOSED;
                }
                WatchKey key = changes.poll(200, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            if (e instanceof OsException) {
                throw e;
            }
            return OUTPUT_CLOSED; // EPIPE: whoever read our output has gone
        } catch (InterruptedException e) {
            return 0;
        }
    }
}
