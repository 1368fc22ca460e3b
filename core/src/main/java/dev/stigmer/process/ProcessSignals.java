package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

/**
 * Signals that cannot hit the wrong process: a pidfd is opened first, then the start time is
 * checked against /proc, then the signal goes through the pidfd. If the pid was reused in
 * between, the pidfd names the new process, the start time does not match, and nothing is sent.
 */
public final class ProcessSignals {
    private ProcessSignals() {
    }

    /** Returns true when the signal was delivered to exactly the process {@code stat} describes. */
    public static boolean send(ProcStat stat, int signal) {
        int pidfd;
        try {
            pidfd = Linux.pidfdOpen(stat.pid());
        } catch (OsException e) {
            return false; // already gone
        }
        try {
            boolean same = ProcFs.stat(stat.pid()).map(now -> now.startTicks() == stat.startTicks()).orElse(false);
            return same && Linux.pidfdSendSignal(pidfd, signal);
        } catch (OsException e) {
            return false;
        } finally {
            Linux.close(pidfd);
        }
    }

    /** Sends to the live process {@code identity} names, if it still is that process. */
    public static boolean send(ProcessIdentity identity, int signal) {
        return ProcFs.stat(identity.pid()).filter(identity::matches).map(stat -> send(stat, signal)).orElse(false);
    }

    /**
     * kill(-pgid): reaches members forked after any scan. Only call with a group whose leader or
     * members were verified as ours; while any member lives, the kernel does not reuse the number.
     */
    public static void sendToGroup(long pgid, int signal) {
        try {
            Linux.kill(-pgid, signal);
        } catch (OsException e) {
            // EPERM for a group that holds a process we may not signal: per-process sends cover ours
        }
    }
}
