package dev.stigmer.process;

import dev.stigmer.os.Linux;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Reaps zombies that re-parented to us (we are a child subreaper), one exact pid at a time.
 * Children the JDK spawned are left alone: the JDK's own reaper waits for them, and stealing
 * their exit status would make the JDK report exit code 0 whatever happened.
 */
public final class ChildReaper {
    private static final Set<Long> JDK_CHILDREN = ConcurrentHashMap.newKeySet();
    private static final long SELF = ProcessHandle.current().pid();
    // Starts share it (fifty services start in parallel), the reaper takes it alone: a child that
    // dies before it is registered as the JDK's cannot be taken for an orphan.
    private static final ReadWriteLock SPAWNING = new ReentrantReadWriteLock();

    private ChildReaper() {
    }

    /** {@code builder.start()}, the child registered as the JDK's before the reaper can look at it. */
    static Process start(ProcessBuilder builder) throws IOException {
        SPAWNING.readLock().lock();
        try {
            Process process = builder.start();
            JDK_CHILDREN.add(process.pid());
            return process;
        } finally {
            SPAWNING.readLock().unlock();
        }
    }

    static void jdkChildReaped(long pid) {
        JDK_CHILDREN.remove(pid);
    }

    /**
     * Reaps every zombie child that is not the JDK's. Returns how many were reaped. Excludes
     * {@link #start}, so a child that dies before it is registered as the JDK's cannot be taken
     * for an orphan.
     */
    public static int reapOrphans() {
        SPAWNING.writeLock().lock();
        try {
            return reapUnregistered();
        } finally {
            SPAWNING.writeLock().unlock();
        }
    }

    private static int reapUnregistered() {
        int reaped = 0;
        // Only our own children (cheap enough to do every second while idle), not all of /proc.
        for (long child : ProcFs.children(SELF)) {
            if (!JDK_CHILDREN.contains(child)
                    && ProcFs.stat(child).map(stat -> !stat.isAlive()).orElse(false)
                    && Linux.reapIfZombie(child)) {
                reaped++;
            }
        }
        return reaped;
    }
}
