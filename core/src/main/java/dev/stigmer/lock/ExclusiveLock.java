package dev.stigmer.lock;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A flock(2) on a file, held by this process until {@link #close()} or death; the kernel
 * releases it then, whatever state files say. Not FileChannel.tryLock: that is an fcntl lock,
 * silently dropped when any other channel on the same file in this JVM is closed.
 */
public final class ExclusiveLock implements AutoCloseable {
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

    /** True when some process holds the lock on {@code file} now. */
    public static boolean isHeld(Path file) throws OsException {
        Optional<ExclusiveLock> probe = tryAcquire(file);
        probe.ifPresent(ExclusiveLock::close);
        return probe.isEmpty();
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
}
