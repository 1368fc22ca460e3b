package dev.stigmer.process;

import java.util.concurrent.CompletableFuture;

/** A process we watch: one we spawned (exit seen by the JDK) or one we adopted (exit seen by pidfd). */
public interface SupervisedProcess {
    ProcessIdentity identity();

    /** Completes within milliseconds of the process's death. */
    CompletableFuture<ExitStatus> onExit();

    boolean adopted();

    /** The pid users know it by: the command's own, which differs when a keeper runs it ({@link ExitKeeper}). */
    default long commandPid() {
        return identity().pid();
    }
}
