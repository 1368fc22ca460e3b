package dev.stigmer.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps a command's exit status when nobody waits for it: only a parent learns a child's status,
 * and a process adopted by a later daemon is nobody's child of ours. So the command runs under a
 * small POSIX sh that waits for it as a foreground child and writes {@code TOKEN STATUS} to a
 * file by rename (atomic), then exits with the same status. The sh leads the session and group
 * as the command would have; it traps the stop signals with a no-op (trapped, not ignored: a
 * signal ignored with {@code trap ''} would stay ignored in the command it runs), so the group's
 * one stop signal reaches the command once and the sh outlives it long enough to write the file.
 * A signal's death is {@code 128+N}, as the JDK reports it. A command it cannot run is said in
 * the command's own words ("migrate.sh: command not found", exit 127; "not executable", 126), not
 * the sh's ("stigmer-exit-keeper: 4: migrate.sh: not found"), which named this wrapper.
 */
public final class ExitKeeper {
    static final String FILE_VARIABLE = "STIGMER_EXIT_FILE";
    static final String TOKEN_VARIABLE = "STIGMER_EXIT_TOKEN";
    /** The name the sh runs under ($0): how its command line is told apart from the command's. */
    public static final String ARGV0 = "stigmer-exit-keeper";
    private static final String SCRIPT = """
            f=$STIGMER_EXIT_FILE; t=$STIGMER_EXIT_TOKEN
            unset STIGMER_EXIT_FILE STIGMER_EXIT_TOKEN
            trap : HUP INT QUIT TERM USR1 USR2
            if ! command -v -- "$1" >/dev/null 2>&1; then printf '%s: command not found\\n' "$1" >&2; s=127
            elif [ "${1#*/}" != "$1" ] && [ ! -x "$1" ]; then printf '%s: not executable\\n' "$1" >&2; s=126
            else "$@"; s=$?; fi
            printf '%s %s\\n' "$t" "$s" > "$f.$$" && mv -f "$f.$$" "$f"
            exit $s""";

    private static final long FORK_WAIT_MILLIS = 200;

    private final Path file;
    private final String token;

    private ExitKeeper(Path file, String token) {
        this.file = file;
        this.token = token;
    }

    /** A keeper for a new run, writing to {@code file} (any file left by an earlier run is deleted). */
    public static ExitKeeper forNewRun(Path file) throws IOException {
        Files.deleteIfExists(file);
        return new ExitKeeper(file, UUID.randomUUID().toString());
    }

    /** The keeper of a run recorded earlier, by the token it was given. */
    public static ExitKeeper ofRecordedRun(Path file, String token) {
        return new ExitKeeper(file, token);
    }

    public String token() {
        return token;
    }

    /** {@code command} run under the keeper. */
    public static List<String> command(List<String> command) {
        List<String> wrapped = new ArrayList<>(command.size() + 4);
        wrapped.addAll(List.of("/bin/sh", "-c", SCRIPT, ARGV0));
        wrapped.addAll(command);
        return wrapped;
    }

    /** What the keeper needs in its environment (it unsets both before it runs the command). */
    public Map<String, String> environment() {
        return Map.of(FILE_VARIABLE, file.toString(), TOKEN_VARIABLE, token);
    }

    /** The status the keeper of this run wrote, if it has ended. */
    public Optional<ExitStatus> recorded() {
        try {
            String[] fields = Files.readString(file).strip().split(" ");
            if (fields.length == 2 && fields[0].equals(token)) {
                return Optional.of(new ExitStatus(Integer.parseInt(fields[1])));
            }
        } catch (IOException | RuntimeException e) {
            // not written (yet), or another run's
        }
        return Optional.empty();
    }

    /**
     * {@code keeper} (the sh, spawned or adopted) seen as the command: its exit carries the
     * recorded status when the kernel could not tell us (adopted), and its pid for users is the
     * command's (the sh's only child) once that is running.
     */
    public SupervisedProcess watch(SupervisedProcess keeper) {
        return new Kept(keeper);
    }

    private final class Kept implements SupervisedProcess {
        private final SupervisedProcess keeper;
        private final CompletableFuture<ExitStatus> exit;
        private volatile long commandPid;
        private volatile boolean waited;

        Kept(SupervisedProcess keeper) {
            this.keeper = keeper;
            this.exit = keeper.onExit().thenApply(status -> status.code() != null ? status : recorded().orElse(status));
        }

        @Override
        public ProcessIdentity identity() {
            return keeper.identity();
        }

        @Override
        public CompletableFuture<ExitStatus> onExit() {
            return exit;
        }

        @Override
        public boolean adopted() {
            return keeper.adopted();
        }

        /**
         * The sh forks its command a millisecond or two after it is spawned: the first call waits
         * up to {@value #FORK_WAIT_MILLIS} ms for that child (while the sh lives), so status never
         * shows the sh's pid for a running command. Later calls do not wait.
         */
        @Override
        public long commandPid() {
            long pid = commandPid;
            if (pid != 0) {
                return pid;
            }
            long keeperPid = keeper.identity().pid();
            long deadline = System.nanoTime() + (waited ? 0 : FORK_WAIT_MILLIS * 1_000_000);
            waited = true;
            while (true) {
                List<Long> children = ProcFs.children(keeperPid);
                if (!children.isEmpty()) {
                    commandPid = children.getFirst();
                    return commandPid;
                }
                if (System.nanoTime() > deadline || exit.isDone() || !keeper.identity().isAlive()) {
                    return keeperPid; // not forked yet, or already gone
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return keeperPid;
                }
            }
        }
    }
}
