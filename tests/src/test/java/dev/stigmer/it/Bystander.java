package dev.stigmer.it;

import dev.stigmer.process.ProcessIdentity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process that is not stigmer's and must never be signalled by it: a bash that leads its own
 * process group (so a wrong kill(-pgid) reaches it too), carries no ownership mark, and writes
 * the name of every catchable signal it gets to a file. It forks nothing, so its pid is the
 * only one it takes.
 */
final class Bystander implements AutoCloseable {
    private static final Path NS_LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    private static final String SIGNALS = "TERM INT HUP QUIT CONT USR1 USR2 ALRM PIPE";

    private final Process process;
    private final ProcessIdentity identity;
    private final Path signals;

    private Bystander(Process process, ProcessIdentity identity, Path signals) {
        this.process = process;
        this.identity = identity;
        this.signals = signals;
    }

    /** Starts one; {@code dir} holds its signal log. */
    static Bystander start(Path dir) {
        try {
            Files.createDirectories(dir);
            Path signals = Files.createTempFile(dir, "bystander-signals", ".txt");
            // read -t from a pipe nobody writes: waits without a child, and trapped signals interrupt it.
            String script = "for s in " + SIGNALS + "; do trap \"echo $s >> '" + signals + "'\" $s; done\n"
                    + "while :; do read -t 5 || true; done\n";
            ProcessBuilder builder = new ProcessBuilder("setsid", "bash", "-c", script);
            builder.environment().keySet().removeIf(k -> k.startsWith("STIGMER_"));
            Process process = builder.start();
            ProcessIdentity identity = awaitIdentity(process);
            return new Bystander(process, identity, signals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts one at exactly {@code pid}, forcing the kernel's next pid through ns_last_pid
     * (root only, best effort: another process may take the number first). Empty when it
     * could not be forced.
     */
    static Optional<Bystander> startAt(Path dir, long pid) {
        for (int attempt = 0; attempt < 100; attempt++) {
            if (Files.exists(Path.of("/proc/" + pid))) {
                sleep(100); // still taken, perhaps by a zombie that init has not reaped yet
                continue;
            }
            try {
                Files.writeString(NS_LAST_PID, Long.toString(pid - 1));
            } catch (IOException e) {
                return Optional.empty();
            }
            Bystander bystander = start(dir);
            if (bystander.pid() == pid) {
                return Optional.of(bystander);
            }
            bystander.close();
        }
        return Optional.empty();
    }

    long pid() {
        return identity.pid();
    }

    ProcessIdentity identity() {
        return identity;
    }

    /** Still this very process, and not a zombie. */
    boolean isAlive() {
        return identity.isAlive();
    }

    /** The signals it has caught so far, oldest first. */
    List<String> signalsReceived() {
        try {
            return Files.readAllLines(signals);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "bystander " + identity.describe();
    }

    private static ProcessIdentity awaitIdentity(Process process) {
        // After setsid's exec the command line is bash's; the traps are set once it reads the loop.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Optional<ProcessIdentity> id = ProcessIdentity.of(process.pid());
            if (id.isPresent() && id.get().commandLine().startsWith("bash")) {
                sleep(100);
                return ProcessIdentity.of(process.pid()).orElseThrow();
            }
            sleep(10);
        }
        process.destroyForcibly();
        throw new AssertionError("the bystander did not start");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
