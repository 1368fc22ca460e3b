package dev.stigmer.lock;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A flock(2) on a file, held by this process until {@link #close()} or death; the kernel
 * releases it then, whatever state files say. Not FileChannel.tryLock: that is an fcntl lock,
 * silently dropped when any other channel on the same file in this JVM is closed.
 */
public final class ExclusiveLock implements AutoCloseable {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

    private final Path file;
    private int fd;

    private ExclusiveLock(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /** The lock if nobody holds it now, else empty. */
    public static Optional<ExclusiveLock> tryAcquire(Path file) throws OsException {
        int fd = Linux.openForLock(file);
        boolean locked;
        try {
            locked = Linux.tryLockExclusive(fd);
        } catch (OsException e) {
            Linux.close(fd);
            throw e;
        }
        if (!locked) {
            Linux.close(fd);
            return Optional.empty();
        }
        return Optional.of(new ExclusiveLock(file, fd));
    }

    /** Waits up to {@code timeout} for the lock; empty if it is still held by then. */
    public static Optional<ExclusiveLock> acquire(Path file, Duration timeout) throws OsException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<ExclusiveLock> lock = tryAcquire(file);
            if (lock.isPresent() || System.nanoTime() > deadline) {
                return lock;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * True when some process holds a flock on {@code file} now. Read from /proc/locks, never by
     * taking the lock: a probe that held it even for a microsecond would make a daemon starting at
     * that instant fail its own flock and exit. A missing file is not held (and is not created).
     * Inside a container the kernel hides a lock whose taker is not in this pid namespace: the
     * daemon takes its lock itself, in the same namespace as its CLI.
     */
    public static boolean isHeld(Path file) throws IOException {
        FileKey key;
        try {
            key = FileKey.of(file);
        } catch (NoSuchFileException e) {
            return false;
        }
        try (BufferedReader locks = Files.newBufferedReader(PROC_LOCKS, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = locks.readLine()) != null) {
                if (key.heldBy(line)) {
                    return true;
                }
            }
            return false;
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Linux.close(fd);
            fd = -1;
        }
    }

    /**
     * A file as /proc/locks names it: the device's major and minor numbers and the inode. A line
     * reads {@code 1: FLOCK  ADVISORY  WRITE 4242 fe:00:2154525 0 EOF}; a process waiting for a
     * lock is listed as {@code 1: -> FLOCK ...} and holds nothing.
     */
    private record FileKey(long major, long minor, long inode) {
        static FileKey of(Path file) throws IOException {
            long dev = (long) Files.getAttribute(file, "unix:dev");
            long inode = (long) Files.getAttribute(file, "unix:ino");
            // glibc's gnu_dev_major/gnu_dev_minor: how stat(2) encodes a device number.
            long major = ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
            return new FileKey(major, minor, inode);
        }

        boolean heldBy(String line) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 6 || !fields[1].equals("FLOCK")) {
                return false;
            }
            String[] id = fields[5].split(":");
            try {
                return id.length == 3 && Long.parseLong(id[2]) == inode
                        && Long.parseLong(id[0], 16) == major && Long.parseLong(id[1], 16) == minor;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}
