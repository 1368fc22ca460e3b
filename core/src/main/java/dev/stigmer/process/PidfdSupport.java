package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.util.Optional;

/**
 * Whether this process can name processes by pidfd: pidfd_open and pidfd_send_signal (Linux
 * 5.3+, unless a seccomp profile refuses them), and whether the kernel signals a process group
 * through a pidfd (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9+). Checked once, on first use; the
 * daemon does so at start-up so that status can say when signals go by pid instead.
 *
 * @param problem why pidfds cannot be used, or null when they can
 */
public record PidfdSupport(boolean available, boolean groupSignals, String problem) {
    private static volatile PidfdSupport checked;

    public static PidfdSupport current() {
        PidfdSupport support = checked;
        if (support == null) {
            support = check();
            checked = support;
        }
        return support;
    }

    /** One line for status when signals cannot go through pidfds; empty when they can. */
    public Optional<String> degradedNote() {
        if (available) {
            return Optional.empty();
        }
        return Optional.of("no pidfds (" + problem + "; they need Linux 5.3+ and a seccomp profile that allows "
                + "pidfd_open): processes are signalled by pid between two start-time checks, and the exit of "
                + "an adopted process is polled");
    }

    private static PidfdSupport check() {
        int pidfd;
        try {
            pidfd = Linux.pidfdOpen(ProcessHandle.current().pid());
        } catch (OsException e) {
            return new PidfdSupport(false, false, "pidfd_open: " + Linux.errnoName(e.errno()));
        }
        try {
            // Signal 0 delivers nothing; it only asks whether we could.
            Linux.pidfdSendSignal(pidfd, 0);
        } catch (OsException e) {
            Linux.close(pidfd);
            return new PidfdSupport(false, false, "pidfd_send_signal: " + Linux.errnoName(e.errno()));
        }
        try {
            // Our own group (or none, if we lead none: ESRCH, which still means the flag is known).
            Linux.pidfdSendSignal(pidfd, 0, Linux.PIDFD_SIGNAL_PROCESS_GROUP);
            return new PidfdSupport(true, true, null);
        } catch (OsException e) {
            return new PidfdSupport(true, false, null); // EINVAL: a kernel before 6.9
        } finally {
            Linux.close(pidfd);
        }
    }
}
