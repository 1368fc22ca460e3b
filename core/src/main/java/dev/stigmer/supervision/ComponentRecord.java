package dev.stigmer.supervision;

import dev.stigmer.process.ProcessIdentity;

import java.util.List;

/**
 * What run/NAME.json says about the component's leader process. Only a hint: it is acted on only
 * when the live process at that pid has the same start time, boot id and ownership mark.
 *
 * @param completed true for a one-shot that exited 0 (no process is named then): a later daemon
 *                  does not run it again while its spec ({@code specHash}) is the same
 * @param exitToken the token of the run's {@link dev.stigmer.process.ExitKeeper}, when one keeps its exit status
 * @param logOffset the log's size when the run was spawned: where its own lines begin
 * @param ready     true once the run passed its readiness check: a later daemon adopting it need not ask again
 * @param cgroup    the name of the run's cgroup ({@link dev.stigmer.process.CgroupRoot}), or null without one
 */
public record ComponentRecord(String name, long pid, long startTicks, String bootId, String commandLine,
                              List<String> command, long startedAtMillis, String specHash, Boolean completed,
                              String lastExit, String exitToken, Long logOffset, Boolean ready,
                              String cgroup) {

    public ComponentRecord(String name, long pid, long startTicks, String bootId, String commandLine,
                           List<String> command, long startedAtMillis) {
        this(name, pid, startTicks, bootId, commandLine, command, startedAtMillis, null, null, null, null, null, null, null);
    }

    public static ComponentRecord of(String name, ProcessIdentity identity, List<String> command, long startedAtMillis) {
        return new ComponentRecord(name, identity.pid(), identity.startTicks(), identity.bootId(),
                identity.commandLine(), command, startedAtMillis);
    }

    /** A run's record: its leader, the keeper's token (or null), whether it has become ready. */
    public static ComponentRecord of(String name, ProcessIdentity identity, List<String> command, long startedAtMillis,
                                     String exitToken, long logOffset, boolean ready, String cgroup) {
        return new ComponentRecord(name, identity.pid(), identity.startTicks(), identity.bootId(),
                identity.commandLine(), command, startedAtMillis, null, null, null, exitToken, logOffset,
                ready ? true : null, cgroup);
    }

    /** A one-shot that completed, made from {@code specHash}. */
    public static ComponentRecord completion(String name, List<String> command, String specHash, String lastExit) {
        return new ComponentRecord(name, 0, 0, null, null, command, 0, specHash, true, lastExit, null, null, null, null);
    }

    /** True when the run this names had passed its readiness check. */
    public boolean wasReady() {
        return Boolean.TRUE.equals(ready);
    }

    /** True when this records a completed run of the spec {@code specHash}. */
    public boolean completedFrom(String specHash) {
        return Boolean.TRUE.equals(completed) && specHash != null && specHash.equals(this.specHash);
    }

    /** A record that parsed but lacks what an identity needs is as good as none. */
    public boolean isComplete() {
        return name != null && pid > 0 && startTicks > 0 && bootId != null && command != null;
    }

    public ProcessIdentity identity() {
        return new ProcessIdentity(pid, startTicks, bootId, commandLine == null ? "" : commandLine);
    }
}
