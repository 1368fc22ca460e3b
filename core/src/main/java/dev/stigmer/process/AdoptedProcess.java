package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process we did not spawn (left by a daemon that died), watched through a pidfd: poll wakes
 * within milliseconds of its exit. ProcessHandle.onExit would poll /proc for up to 5 s and take
 * a zombie for alive.
 */
public final class AdoptedProcess implements SupervisedProcess {
    private final ProcessIdentity identity;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

    private AdoptedProcess(ProcessIdentity identity) {
        this.identity = identity;
    }

    /** Watches the process {@code identity} names; empty when it is no longer that process. */
    public static Optional<AdoptedProcess> watch(ProcessIdentity identity) {
        int pidfd;
        try {
            pidfd = Linux.pidfdOpen(identity.pid());
        } catch (OsException e) {
            return Optional.empty();
        }
        // Opened first, checked second: if the pid was reused in between, the check fails.
        if (!identity.isAlive()) {
            Linux.close(pidfd);
            return Optional.empty();
        }
        AdoptedProcess adopted = new AdoptedProcess(identity);
        Thread.ofPlatform().daemon().name("pidfd-" + identity.pid()).start(() -> adopted.await(pidfd));
        return Optional.of(adopted);
    }

    private void await(int pidfd) {
        try {
            while (!Linux.pollReadable(pidfd, 1000)) {
                if (exit.isDone()) {
                    return;
                }
            }
            exit.complete(ExitStatus.UNKNOWN);
        } catch (OsException e) {
            exit.complete(ExitStatus.UNKNOWN);
        } finally {
            Linux.close(pidfd);
        }
    }

    @Override
    public ProcessIdentity identity() {
        return identity;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    @Override
    public boolean adopted() {
        return true;
    }
}
