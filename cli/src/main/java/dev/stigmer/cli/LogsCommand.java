package dev.stigmer.cli;

import dev.stigmer.config.TemporalDefaults;
import dev.stigmer.logs.LogFollower;
import dev.stigmer.logs.LogTail;
import dev.stigmer.os.FileErrors;
import dev.stigmer.os.OsException;
import dev.stigmer.os.Linux;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.StackRecord;
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
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
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
        // The running stack's members, logged or not yet (one waiting for a dependency has no log).
        Set<String> members = StackRecord.read(home).members().keySet();
        Set<String> known = knownLogs(home, members);
        List<String> selected = names.isEmpty() ? defaultLogs(known) : names;
        for (String name : selected) {
            if (!known.contains(name)) {
                throw new UserError("no log named '" + name + "': choose one of " + String.join(", ", known), UserError.USAGE);
            }
        }
        boolean prefixed = selected.size() > 1;
        boolean colour = System.console() != null && System.console().isTerminal();
        int width = selected.stream().mapToInt(String::length).max().orElse(0);
        List<Source> sources = new ArrayList<>();
        for (String name : selected) {
            sources.add(source(home, name, prefixed, colour, width, sources.size()));
        }
        if (!follow) {
            List<Source> missing = sources.stream().filter(s -> !Files.exists(s.file())).toList();
            if (missing.size() == sources.size() && members.isEmpty()) {
                System.err.println("No " + String.join(", ", selected) + " log yet (" + home.logsDir()
                        + "): run `stigmer local` first.");
                return 0;
            }
            if (!names.isEmpty()) {
                missing.forEach(s -> System.err.println(s.name() + " has no log yet: it has not started (`stigmer local status` says why)."));
            }
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
        if (!follow) {
            return 0;
        }
        List<Followed> followed = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            followed.add(new Followed(sources.get(i), followers.get(i)));
        }
        // Without names: every component's log, also one that appears while we follow (a service added).
        LogsAppearing appearing = !names.isEmpty() ? null
                : name -> source(home, name, true, colour, width, followed.size());
        return follow(home.logsDir(), followed, appearing);
    }

    private static Source source(StigmerHome home, String name, boolean prefixed, boolean colour, int width, int index) {
        String label = String.format("%-" + width + "s | ", name);
        String prefix = !prefixed ? "" : colour ? "\033[" + COLOURS[index % COLOURS.length] + "m" + label + "\033[0m" : label;
        return new Source(name, home.logFile(name), prefix);
    }

    /** temporal and daemon always; then each service: every other log in logs/ (cli.log is the CLI's own), and each member of the stack. */
    private static Set<String> knownLogs(StigmerHome home, Set<String> members) throws IOException {
        Set<String> known = new LinkedHashSet<>(List.of(TemporalDefaults.NAME, DAEMON));
        Set<String> services = new TreeSet<>(loggedServices(home.logsDir()));
        services.addAll(members);
        services.remove(CLI);
        known.addAll(services);
        return known;
    }

    /** The components with a NAME.log in {@code dir}: not the CLI's own, not rotated generations (NAME.log.1). */
    private static Set<String> loggedServices(Path dir) throws IOException {
        Set<String> logged = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log") && !n.startsWith("."))
                        .map(n -> n.substring(0, n.length() - ".log".length())).filter(n -> !n.equals(CLI))
                        .forEach(logged::add);
            }
        }
        return logged;
    }

    /** Without names: Temporal's log and every service's, not the daemon's own. */
    private static List<String> defaultLogs(Set<String> known) {
        List<String> logs = new ArrayList<>(List.of(TemporalDefaults.NAME));
        known.stream().filter(n -> !n.equals(TemporalDefaults.NAME) && !n.equals(DAEMON)).forEach(logs::add);
        return logs;
    }

    /** A log being followed, with its prefix as bytes and how many skipped bytes were reported so far. */
    private static final class Followed {
        final Source source;
        final LogFollower follower;
        final byte[] prefix;
        long skipped;

        Followed(Source source, LogFollower follower) {
            this.source = source;
            this.follower = follower;
            this.prefix = source.prefix().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** How a log that appears while following is printed. */
    @FunctionalInterface
    private interface LogsAppearing {
        Source source(String name);
    }

    /**
     * Prints what is appended to each log, a whole line at a time with its prefix, across
     * rotations ({@link LogFollower}), as fast as it is written: it reads until nothing is left,
     * then sleeps until the kernel says a log changed (inotify). With {@code appearing}, a
     * component's log that appears in {@code dir} is followed too, from its first line. Returns
     * when stdout is closed (`| head -1`): noticed on the next write, and while nothing is
     * written, by polling stdout.
     */
    private static int follow(Path dir, List<Followed> followed, LogsAppearing appearing) throws IOException {
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 256 * 1024);
        Files.createDirectories(dir);
        try (WatchService changes = FileSystems.getDefault().newWatchService()) {
            dir.register(changes, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            boolean look = appearing != null; // once now: a log made before the watch was registered
            while (true) {
                if (look) {
                    look = false;
                    Set<String> following = new HashSet<>();
                    followed.forEach(f -> following.add(f.source.name()));
                    for (String name : loggedServices(dir)) {
                        if (!name.equals(DAEMON) && following.add(name)) {
                            Source source = appearing.source(name);
                            followed.add(new Followed(source, LogFollower.at(source.file(), 0)));
                        }
                    }
                }
                boolean read = false;
                for (Followed log : followed) {
                    byte[] prefix = log.prefix;
                    read |= log.follower.poll(prefix.length == 0 ? out::write
                            : (block, from, size) -> LogFollower.eachLine(block, from, size, (bytes, offset, length) -> {
                                out.write(prefix);
                                out.write(bytes, offset, length);
                                out.write('\n');
                            })) > 0;
                    if (log.follower.skippedBytes() != log.skipped) {
                        out.flush();
                        System.err.println("stigmer: " + (log.follower.skippedBytes() - log.skipped) + " bytes of "
                                + log.source.name() + "'s log were rotated away before they could be printed");
                        log.skipped = log.follower.skippedBytes();
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
                    for (WatchEvent<?> event : key.pollEvents()) {
                        look |= appearing != null && event.kind() != StandardWatchEventKinds.ENTRY_MODIFY;
                    }
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
