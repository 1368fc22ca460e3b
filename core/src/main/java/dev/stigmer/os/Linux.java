package dev.stigmer.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The only place that calls native code: the few Linux system calls the JDK does not expose
 * (flock, kill to a group, pidfd, poll, prctl, waitpid). Every call either succeeds or throws
 * {@link OsException} carrying errno; nothing else in the project touches java.lang.foreign.
 */
public final class Linux {
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    public static final int EPERM = 1;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int EWOULDBLOCK = 11;

    private static final int O_RDWR = 0x2;
    private static final int O_CREAT = 0x40;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_RDONLY = 0x0;
    // The one open flag whose value differs between x86_64 and aarch64.
    private static final int O_NOFOLLOW = "aarch64".equals(System.getProperty("os.arch")) ? 0x8000 : 0x20000;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;
    private static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
    public static final int EOPNOTSUPP = 95;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;
    private static final short POLLIN = 1;
    private static final short POLLERR = 8;
    private static final short POLLHUP = 16;
    private static final short POLLNVAL = 32;
    // Same numbers on x86_64 and aarch64 (syscalls added after the table was unified).
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle KILL = handle("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = handle("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FLOCK = handle("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FALLOCATE = handle("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PRCTL = handle("prctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle WAITPID = handle("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SYSCALL_2 = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL_4 = handle("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1));

    private Linux() {
    }

    /** kill(2). A negative pid names a process group. Returns false when no such process (ESRCH). */
    public static boolean kill(long pid, int signal) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) KILL.invokeExact(state, Math.toIntExact(pid), signal);
            if (rc == 0) {
                return true;
            }
            int errno = errno(state);
            if (errno == ESRCH) {
                return false;
            }
            throw new OsException("kill(" + pid + ", " + signal + ")", errno);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** open(2) with O_RDWR|O_CREAT|O_CLOEXEC, mode 0600: a descriptor no child inherits. */
    public static int openForLock(Path path) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            int fd = (int) OPEN.invokeExact(state, cPath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0) {
                throw new OsException("open(" + path + ")", errno(state));
            }
            return fd;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** flock(fd, LOCK_EX|LOCK_NB). Returns false when another open file description holds it. */
    public static boolean tryLockExclusive(int fd) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int rc = (int) FLOCK.invokeExact(state, fd, LOCK_EX | LOCK_NB);
                if (rc == 0) {
                    return true;
                }
                int errno = errno(state);
                if (errno == EWOULDBLOCK) {
                    return false;
                }
                if (errno != EINTR) {
                    throw new OsException("flock", errno);
                }
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * open(2) of an existing file, O_CLOEXEC|O_NOFOLLOW, read-only or read-write: a descriptor
     * for {@link #lock} and {@link #collapseRange}, which the JDK's channels do not offer.
     */
    public static int openExisting(Path path, boolean forWriting) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            int fd = (int) OPEN.invokeExact(state, cPath, (forWriting ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new OsException("open(" + path + ")", errno(state));
            }
            return fd;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** flock(fd, LOCK_SH or LOCK_EX), waiting for it; retried on EINTR. */
    public static void lock(int fd, boolean shared) throws OsException {
        flock(fd, shared ? LOCK_SH : LOCK_EX);
    }

    /** flock(fd, LOCK_UN). */
    public static void unlock(int fd) throws OsException {
        flock(fd, LOCK_UN);
    }

    private static void flock(int fd, int operation) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int rc = (int) FLOCK.invokeExact(state, fd, operation);
                if (rc == 0) {
                    return;
                }
                int errno = errno(state);
                if (errno != EINTR) {
                    throw new OsException("flock", errno);
                }
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, length): removes the first {@code length} bytes
     * of a file, shifting the rest down, atomically with respect to writers (an O_APPEND writer
     * goes on at the new end). {@code length} must be a multiple of the file system's block size
     * and less than the file's size. Returns false where the file system cannot (EOPNOTSUPP:
     * tmpfs, btrfs, ...; EINVAL: unaligned or too long).
     */
    public static boolean collapseRange(int fd, long length) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int rc = (int) FALLOCATE.invokeExact(state, fd, FALLOC_FL_COLLAPSE_RANGE, 0L, length);
                if (rc == 0) {
                    return true;
                }
                int errno = errno(state);
                if (errno == EOPNOTSUPP || errno == EINVAL) {
                    return false;
                }
                if (errno != EINTR) {
                    throw new OsException("fallocate(COLLAPSE_RANGE)", errno);
                }
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Orphaned descendants re-parent to this process instead of init, so it can kill and reap them. */
    public static void becomeChildSubreaper() throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) PRCTL.invokeExact(state, PR_SET_CHILD_SUBREAPER, 1L);
            if (rc != 0) {
                throw new OsException("prctl(PR_SET_CHILD_SUBREAPER)", errno(state));
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * waitpid(pid, WNOHANG) for one exact pid (never -1: that would steal the exit status of a
     * JDK-managed child). Returns true when a zombie was reaped.
     */
    public static boolean reapIfZombie(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment status = arena.allocate(JAVA_INT);
            int rc = (int) WAITPID.invokeExact(state, Math.toIntExact(pid), status, WNOHANG);
            return rc > 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** pidfd_open(2): a descriptor that names this exact process, immune to pid reuse. */
    public static int pidfdOpen(long pid) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long fd = (long) SYSCALL_2.invokeExact(state, SYS_PIDFD_OPEN, Math.toIntExact(pid), 0);
            if (fd < 0) {
                throw new OsException("pidfd_open(" + pid + ")", errno(state));
            }
            return (int) fd;
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---- pidfds: group signals, and the errno values that tell "gone" from "cannot" ----------

    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSYS = 38;

    /** pidfd_send_signal flag (Linux 6.9+): signal the process group the pidfd's process leads. */
    public static final int PIDFD_SIGNAL_PROCESS_GROUP = 1 << 2;

    /** pidfd_send_signal(2). Returns false when the process has already exited. */
    public static boolean pidfdSendSignal(int pidfd, int signal) throws OsException {
        return pidfdSendSignal(pidfd, signal, 0);
    }

    /**
     * pidfd_send_signal(2) with {@code flags}, e.g. {@link #PIDFD_SIGNAL_PROCESS_GROUP}. Returns
     * false when there is nobody left to signal (ESRCH).
     */
    public static boolean pidfdSendSignal(int pidfd, int signal, int flags) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long rc = (long) SYSCALL_4.invokeExact(state, SYS_PIDFD_SEND_SIGNAL, pidfd, signal,
                    MemorySegment.NULL, flags);
            if (rc == 0) {
                return true;
            }
            int errno = errno(state);
            if (errno == ESRCH) {
                return false;
            }
            throw new OsException("pidfd_send_signal", errno);
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** The symbolic name of the errno values the process layer tells apart, else "errno N". */
    public static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ESRCH -> "ESRCH";
            case EINTR -> "EINTR";
            case ECHILD -> "ECHILD";
            case EWOULDBLOCK -> "EAGAIN";
            case EACCES -> "EACCES";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOSYS -> "ENOSYS";
            default -> "errno " + errno;
        };
    }

    // ---- end of pidfds ---------------------------------------------------------------------------

    /**
     * poll(2) one descriptor for readability. A pidfd becomes readable when its process exits.
     * Returns true when readable, false on timeout.
     */
    public static boolean pollReadable(int fd, int timeoutMillis) throws OsException {
        return poll(fd, POLLIN, timeoutMillis) != 0;
    }

    // ---- the CLI's own output ---------------------------------------------------------------

    /**
     * Waits up to {@code timeoutMillis} for the output {@code fd} to be closed at its other end:
     * poll(2) with no events asked for still reports POLLERR (a pipe whose reader has gone) and
     * POLLHUP (a hung-up terminal or socket). A file never is: the call then just waits.
     * Returns true when it is closed.
     */
    public static boolean awaitOutputClosed(int fd, int timeoutMillis) throws OsException {
        return (poll(fd, (short) 0, timeoutMillis) & (POLLERR | POLLHUP | POLLNVAL)) != 0;
    }

    /** poll(2) of one descriptor, retried on EINTR: its revents, 0 on timeout. */
    private static short poll(int fd, short events, int timeoutMillis) throws OsException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment pollfd = arena.allocate(MemoryLayout.structLayout(JAVA_INT, JAVA_SHORT, JAVA_SHORT));
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, events);
            while (true) {
                int rc = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
                if (rc >= 0) {
                    return rc > 0 ? pollfd.get(JAVA_SHORT, 6) : 0;
                }
                int errno = errno(state);
                if (errno != EINTR) {
                    throw new OsException("poll", errno);
                }
            }
        } catch (OsException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc: " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static IllegalStateException unexpected(Throwable t) {
        return new IllegalStateException("native call failed", t);
    }
}
