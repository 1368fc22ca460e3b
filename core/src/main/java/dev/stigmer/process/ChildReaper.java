package dev.stigmer.process;

import dev.stigmer.os.Linux;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaps zombies that re-parented to us (we are a child subreaper), one exact pid at a time.
 * Children the JDK spawned are left alone: the JDK's own reaper waits for them, and stealing
 * their exit status would make the JDK report exit code 0 whatever happened.
 */
public final class ChildReaper {
    private static final Set<Long> JDK_CHILDREN = ConcurrentHashMap.newKeySet();
    private static final long SELF = ProcessHandle.current().pid();

    private ChildReaper() {
    }

    static void jdkChildStarted(long pid) {
        JDK_CHILDREN.add(pid);
    }

    static void jdkChildReaped(long pid) {
        JDK_CHILDREN.remove(pid);
    }

    /**
     * Reaps every zombie child that is not the JDK's. Returns how many were reaped. Holds the
     * same monitor as {@link SpawnedProcess#start}, so a child that dies before it is
     * registered as the JDK's cannot be taken for an orphan.
     */
    public static synchronized int reapOrphans() {
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
