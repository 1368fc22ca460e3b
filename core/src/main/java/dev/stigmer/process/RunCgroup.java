package dev.stigmer.process;

import dev.stigmer.os.Linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup (v2) of one run of a component: every process the run starts is a member, however
 * it leaves its session or environment (`env -i setsid ...`), so membership is what the run
 * owns. Ended with {@code cgroup.kill} (Linux 5.14+; SIGKILL to each member before), removed
 * once empty. Made by {@link CgroupRoot}.
 */
public final class RunCgroup {
    private static final String PROCS = "cgroup.procs";
    private static final long SELF = ProcessHandle.current().pid();

    private final Path dir;

    RunCgroup(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * {@code command} started inside this cgroup: a POSIX sh writes its own pid to cgroup.procs,
     * then execs the command in place (same pid, session and group), before it can fork. If the
     * write fails (the cgroup went away), the command still runs, as it would without cgroups.
     */
    public List<String> launch(List<String> command) {
        List<String> wrapped = new ArrayList<>(command.size() + 4);
        wrapped.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$1/" + PROCS + "\" 2>/dev/null; shift; exec \"$@\"",
                "stigmer", dir.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The live (not zombie) members now; empty when the cgroup is gone. */
    public List<ProcStat> members() {
        List<ProcStat> members = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve(PROCS))) {
                if (!line.isBlank()) {
                    long pid = Long.parseLong(line.strip());
                    if (pid != SELF) {
                        ProcFs.stat(pid).filter(ProcStat::isAlive).ifPresent(members::add);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone: no members
        }
        return members;
    }

    /** SIGKILL to every member at once (cgroup.kill), or to each member where the kernel lacks it. */
    public void kill() {
        try {
            Files.writeString(dir.resolve("cgroup.kill"), "1", StandardCharsets.US_ASCII);
            return;
        } catch (IOException e) {
            // before Linux 5.14, or gone: one by one
        }
        members().forEach(member -> ProcessSignals.send(member, Linux.SIGKILL));
    }

    /** Removes the cgroup if it is empty (rmdir fails otherwise: then it stays, and is tried again later). */
    public boolean remove() {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            return false;
        }
        // The component's and the home's directories too, once empty (rmdir refuses otherwise):
        // a home's tests or a removed service leave no trace in the hierarchy. A run made meanwhile
        // makes them again.
        Path component = dir.getParent();
        for (Path parent : List.of(component, component.getParent())) {
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                break; // not empty: in use
            }
        }
        return true;
    }

    /** Kills every member, waits up to {@code waitMillis} for them to go, then removes the cgroup. */
    public void killAndRemove(long waitMillis) {
        kill();
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        while (!members().isEmpty() && System.nanoTime() < deadline) {
            ChildReaper.reapOrphans();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        ChildReaper.reapOrphans();
        // Zombies still count to the kernel (populated) until reaped by their parent: retried briefly.
        for (int attempt = 0; attempt < 50 && !remove(); attempt++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
