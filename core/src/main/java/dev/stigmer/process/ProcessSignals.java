package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Signals that cannot hit the wrong process: a pidfd is opened first, then the start time is
 * checked against /proc, then the signal goes through the pidfd. If the pid was reused in
 * between, the pidfd names the new process, the start time does not match, and nothing is sent.
 * <p>
 * Without pidfds (an old kernel, a seccomp profile, no descriptor left) the signal goes by pid
 * between two start-time checks. Only ESRCH means a process is gone: any other failure of
 * pidfd_open says nothing about the process.
 */
public final class ProcessSignals {
    private static final System.Logger LOG = System.getLogger("stigmer.process");

    private ProcessSignals() {
    }

    /** Returns true when the signal was delivered to exactly the process {@code stat} describes. */
    public static boolean send(ProcStat stat, int signal) {
        if (!PidfdSupport.current().available()) {
            return sendByPid(stat, signal);
        }
        int pidfd;
        try {
            pidfd = Linux.pidfdOpen(stat.pid());
        } catch (OsException e) {
            return e.errno() != Linux.ESRCH && sendByPid(stat, signal);
        }
        try {
            return sameProcess(stat) && Linux.pidfdSendSignal(pidfd, signal);
        } catch (OsException e) {
            return e.errno() != Linux.EPERM && sendByPid(stat, signal);
        } finally {
            Linux.close(pidfd);
        }
    }

    /** Sends to the live process {@code identity} names, if it still is that process. */
    public static boolean send(ProcessIdentity identity, int signal) {
        return ProcFs.stat(identity.pid()).filter(identity::matches).map(stat -> send(stat, signal)).orElse(false);
    }

    /**
     * To every member of the process group {@code leader} leads, if the process with its pid still
     * is that leader (alive or a zombie, which keeps the group's number). On Linux 6.9+ through
     * the leader's pidfd (PIDFD_SIGNAL_PROCESS_GROUP): the kernel finds the group from the process
     * the pidfd names, never from a number, so the signal reaches that group even if the leader is
     * reaped meanwhile and its number reused. Before 6.9, kill(-pgid) right after the check: the
     * number could only name another group if the leader and every member died, were reaped and
     * the number was handed out again in between. Returns true when a signal was sent.
     */
    public static boolean sendToGroup(ProcessIdentity leader, int signal) {
        PidfdSupport support = PidfdSupport.current();
        if (!support.available()) {
            return leadsItsGroup(leader) && killGroup(leader.pid(), signal);
        }
        int pidfd;
        try {
            pidfd = Linux.pidfdOpen(leader.pid());
        } catch (OsException e) {
            return e.errno() != Linux.ESRCH && leadsItsGroup(leader) && killGroup(leader.pid(), signal);
        }
        try {
            if (!leadsItsGroup(leader)) {
                return false;
            }
            return support.groupSignals()
                    ? Linux.pidfdSendSignal(pidfd, signal, Linux.PIDFD_SIGNAL_PROCESS_GROUP)
                    : killGroup(leader.pid(), signal);
        } catch (OsException e) {
            return false; // EPERM: no member we may signal; per-process sends cover ours
        } finally {
            Linux.close(pidfd);
        }
    }

    private static boolean leadsItsGroup(ProcessIdentity leader) {
        return ProcFs.stat(leader.pid()).filter(leader::matches).map(stat -> stat.pgid() == leader.pid()).orElse(false);
    }

    private static boolean killGroup(long pgid, int signal) {
        try {
            return Linux.kill(-pgid, signal);
        } catch (OsException e) {
            return false; // EPERM: no member we may signal
        }
    }

    private static boolean sameProcess(ProcStat stat) {
        return ProcFs.stat(stat.pid()).map(now -> now.startTicks() == stat.startTicks()).orElse(false);
    }

    /**
     * kill(pid) between two start-time checks. The pid can only name another process if ours died,
     * was reaped and its number was handed out again between the first check and the kill: the
     * window the JDK's own ProcessHandle.destroy accepts. The second check tells when that may have
     * happened.
     */
    private static boolean sendByPid(ProcStat stat, int signal) {
        if (!sameProcess(stat)) {
            return false;
        }
        boolean delivered;
        try {
            delivered = Linux.kill(stat.pid(), signal);
        } catch (OsException e) {
            return false; // EPERM: not ours to signal
        }
        boolean reused = ProcFs.stat(stat.pid()).map(now -> now.startTicks() != stat.startTicks()).orElse(false);
        if (delivered && reused) {
            LOG.log(WARNING, "pid {0} was reused while it was signalled: signal {1} may have reached the newcomer",
                    stat.pid(), signal);
            return false;
        }
        return delivered;
    }
}
