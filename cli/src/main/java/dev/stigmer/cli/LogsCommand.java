package dev.stigmer.cli;

import dev.stigmer.config.TemporalDefaults;

import dev.stigmer.logs.LogTail;
import dev.stigmer.os.Linux;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
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
        for (Source source : sources) {
            for (String line : LogTail.lastLines(source.file(), lines)) {
                System.out.println(source.prefix() + line);
                if (System.out.checkError()) {
                    return OUTPUT_CLOSED;
                }
            }
        }
        return follow ? follow(sources) : 0;
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
     * Prints what is appended to each log, a whole line at a time with its prefix; starts a log
     * over when it is truncated by rotation. Returns when stdout is closed (`| head -1`): noticed
     * on the next write, and while nothing is written, by waiting on stdout itself.
     */
    private static int follow(List<Source> sources) throws IOException {
        long[] offsets = new long[sources.size()];
        StringBuilder[] partial = new StringBuilder[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            offsets[i] = size(sources.get(i).file());
            partial[i] = new StringBuilder();
        }
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            boolean wrote = false;
            for (int i = 0; i < sources.size(); i++) {
                Source source = sources.get(i);
                long size = size(source.file());
                if (size < offsets[i]) {
                    offsets[i] = 0;
                }
                if (size <= offsets[i]) {
                    continue;
                }
                try (RandomAccessFile file = new RandomAccessFile(source.file().toFile(), "r")) {
                    file.seek(offsets[i]);
                    int read;
                    while ((read = file.read(buffer)) > 0) {
                        offsets[i] += read;
                        partial[i].append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                    }
                }
                int start = 0;
                for (int newline = partial[i].indexOf("\n"); newline >= 0; newline = partial[i].indexOf("\n", start)) {
                    System.out.println(source.prefix() + partial[i].substring(start, newline));
                    start = newline + 1;
                    wrote = true;
                }
                partial[i].delete(0, start);
            }
            if (wrote && System.out.checkError()) { // flushes, then says whether a write failed (EPIPE)
                return OUTPUT_CLOSED;
            }
            if (Linux.awaitOutputClosed(STDOUT, 200)) {
                return OUTPUT_CLOSED;
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
