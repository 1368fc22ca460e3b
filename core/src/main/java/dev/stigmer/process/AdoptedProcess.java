package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A process we did not spawn (left by a daemon that died), watched through a pidfd: poll wakes
 * within milliseconds of its exit. ProcessHandle.onExit would poll /proc for up to 5 s and take
 * a zombie for alive. Without pidfds, /proc is polled every {@value #POLL_MILLIS} ms, zombies
 * counting as exited.
 */
public final class AdoptedProcess implements SupervisedProcess {
    private static final long POLL_MILLIS = 20;

    private final ProcessIdentity identity;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

    private AdoptedProcess(ProcessIdentity identity) {
        this.identity = identity;
    }

    /** Watches the process {@code identity} names; empty when it is no longer that process. */
    public static Optional<AdoptedProcess> watch(ProcessIdentity identity) {
        if (!PidfdSupport.current().available()) {
            return watchByPolling(identity);
        }
        int pidfd;
        try {
            pidfd = Linux.pidfdOpen(identity.pid());
        } catch (OsException e) {
            // Only ESRCH means gone; anything else (no descriptor left, a sandbox) says nothing about it.
            return e.errno() == Linux.ESRCH ? Optional.empty() : watchByPolling(identity);
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

    private static Optional<AdoptedProcess> watchByPolling(ProcessIdentity identity) {
        if (!identity.isAlive()) {
            return Optional.empty();
        }
        AdoptedProcess adopted = new AdoptedProcess(identity);
        Thread.ofPlatform().daemon().name("poll-" + identity.pid()).start(adopted::poll);
        return Optional.of(adopted);
    }

    private void await(int pidfd) {
        try {
            while (!Linux.pollReadable(pidfd, 1000)) {
                if (exit.isDone()) {
                    return;
                }
            }
        } catch (OsException e) {
            poll(); // a failing poll(2) says nothing about the process: watch /proc instead
            return;
        } finally {
            Linux.close(pidfd);
        }
        exit.complete(ExitStatus.UNKNOWN);
    }

    private void poll() {
        try {
            while (identity.isAlive()) {
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exit.complete(ExitStatus.UNKNOWN);
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
