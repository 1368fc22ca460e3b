package dev.stigmer.process;

import dev.stigmer.os.Linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything one component owns: the session/group its leader created, plus every process that
 * carries the component's ownership mark (descendants that escaped the group with setsid keep
 * their environment). Stopping it returns only when no live member is left.
 */
public final class ProcessTree {
    private static final long SELF = ProcessHandle.current().pid();
    private static final long POLL_MILLIS = 20;

    private final Ownership ownership;
    private final Optional<ProcessIdentity> leader;
    private final long startedBefore; // marked processes count only if they started before this tick
    private final RunCgroup cgroup; // the run's cgroup: every member counts, whatever it did; or null

    /**
     * Everything of the component: its leader's group and session, and every process with the
     * component's mark, including any that appear while stopping. For a full stop, when nothing
     * will start a successor.
     *
     * @param leader the recorded leader, if any; its group counts as ours only while the leader
     *               verifiably is that process or the group's members carry our mark
     */
    public ProcessTree(Ownership ownership, Optional<ProcessIdentity> leader) {
        this(ownership, leader, Long.MAX_VALUE);
    }

    private ProcessTree(Ownership ownership, Optional<ProcessIdentity> leader, long startedBefore, RunCgroup cgroup) {
        this.ownership = ownership;
        this.leader = leader;
        this.startedBefore = startedBefore;
        this.cgroup = cgroup;
    }

    private ProcessTree(Ownership ownership, Optional<ProcessIdentity> leader, long startedBefore) {
        this(ownership, leader, startedBefore, null);
    }

    /**
     * This tree plus every member of the run's cgroup (an escapee that dropped session and mark
     * too), which a stop ends with cgroup.kill and removes once empty.
     */
    public ProcessTree within(Optional<RunCgroup> runCgroup) {
        return runCgroup.map(c -> new ProcessTree(ownership, leader, startedBefore, c)).orElse(this);
    }

    /**
     * One run's tree: the leader's group and session, and the marked processes (its escapees)
     * that started before {@code startedBefore} (ticks since boot, {@link ProcFs#ticksSinceBoot}):
     * a successor the supervisor starts later, while this tree is being stopped, leads a session
     * of its own and started after that, so it is never a member.
     */
    public static ProcessTree rootedAt(Ownership ownership, ProcessIdentity leader, long startedBefore) {
        return new ProcessTree(ownership, Optional.of(leader), startedBefore);
    }

    /** Live members now. */
    public List<ProcStat> members() {
        long groupId = leader.map(ProcessIdentity::pid).orElse(-1L);
        List<ProcStat> all = ProcFs.all();
        boolean leaderVerified = leader.map(id -> all.stream().anyMatch(id::matches)).orElse(false);
        List<ProcStat> members = new ArrayList<>();
        for (ProcStat stat : all) {
            if (!stat.isAlive() || stat.pid() == SELF) {
                continue;
            }
            boolean inGroup = stat.pgid() == groupId || stat.sid() == groupId;
            boolean inScope = inGroup || stat.startTicks() < startedBefore;
            if ((inGroup && leaderVerified) || (inScope && ownership.marks(stat.pid()))) {
                members.add(stat);
            }
        }
        if (cgroup != null) {
            for (ProcStat member : cgroup.members()) {
                if (members.stream().noneMatch(m -> m.pid() == member.pid())) {
                    members.add(member);
                }
            }
        }
        return members;
    }

    public boolean isEmpty() {
        return members().isEmpty();
    }

    /**
     * The policy's signal (SIGTERM by default) then SIGCONT (a stopped process acts on nothing
     * until continued) to every member,
     * up to {@code policy.grace()} for them to go, then SIGKILL and a wait for the last one.
     * Returns the members that survived even SIGKILL (normally none).
     */
    public List<ProcStat> stop(StopPolicy policy) {
        if (signalAll(policy.signal()) > 0) {
            signalAll(Linux.SIGCONT);
            if (awaitEmpty(policy.grace().toMillis())) {
                removeCgroup(policy.killWait().toMillis());
                return List.of();
            }
        }
        return kill(policy.killWait().toMillis());
    }

    /** SIGKILL to every member (and cgroup.kill), then wait up to {@code waitMillis} until none is left. */
    public List<ProcStat> kill(long waitMillis) {
        signalAll(Linux.SIGKILL);
        if (cgroup != null) {
            cgroup.kill();
        }
        awaitEmpty(waitMillis);
        ChildReaper.reapOrphans();
        removeCgroup(waitMillis);
        return members();
    }

    /** The run's cgroup, emptied by cgroup.kill (a member that appeared after the last look) and removed. */
    private void removeCgroup(long waitMillis) {
        if (cgroup != null) {
            cgroup.killAndRemove(waitMillis);
        }
    }

    /** SIGKILL to every member, without waiting. */
    public void killNow() {
        signalAll(Linux.SIGKILL);
    }

    /**
     * SIGKILL, without waiting, to what a dead leader left in its session or group and that
     * carries our mark. Selected by the dead leader's number, which the kernel hands out again
     * only once no process has it as pid, group or session; so:
     * <ul>
     * <li>if a process started since holds that pid, the old session and group are empty, and what
     *     now has that number as session or group is the newcomer's: nothing to do;</li>
     * <li>the successor's session, and anything that started at or after the successor, is
     *     never touched; nor is anything older than the dead leader (no member of its session
     *     can be).</li>
     * </ul>
     */
    public static void killOrphansOf(Ownership ownership, ProcessIdentity deadLeader, Optional<ProcessIdentity> successor) {
        long number = deadLeader.pid();
        if (numberReused(deadLeader)) {
            return;
        }
        List<ProcStat> orphans = new ArrayList<>();
        for (ProcStat stat : ProcFs.all()) {
            boolean ofDeadLeader = stat.pgid() == number || stat.sid() == number;
            boolean ofSuccessor = successor.map(s -> stat.sid() == s.pid() || stat.startTicks() >= s.startTicks())
                    .orElse(false);
            if (stat.isAlive() && stat.pid() != SELF && ofDeadLeader && !ofSuccessor
                    && stat.startTicks() >= deadLeader.startTicks() && ownership.marks(stat.pid())) {
                orphans.add(stat);
            }
        }
        // Checked again after the scan: a number reused while we scanned makes every match suspect.
        if (numberReused(deadLeader)) {
            return;
        }
        orphans.forEach(orphan -> ProcessSignals.send(orphan, Linux.SIGKILL));
    }

    private static boolean numberReused(ProcessIdentity deadLeader) {
        return ProcFs.stat(deadLeader.pid()).map(now -> now.startTicks() != deadLeader.startTicks()).orElse(false);
    }

    /**
     * {@code signal} once to every member: to the leader's group in one call, then to each member
     * the group signal did not reach (escapees in groups of their own, or everyone when the leader
     * is gone). Members are listed after the group signal, so one that left the group before it
     * is not missed; one still in the group is not signalled twice: many programs (Python, Node,
     * the JVM, Gradle) take a second interrupt as "force quit" and cut their clean-up short.
     * Returns how many members the signal reached.
     */
    private int signalAll(int signal) {
        boolean groupSignalled = leader.map(id -> ProcessSignals.sendToGroup(id, signal)).orElse(false);
        long groupId = leader.map(ProcessIdentity::pid).orElse(-1L);
        int sent = 0;
        for (ProcStat member : members()) {
            if ((groupSignalled && member.pgid() == groupId) || ProcessSignals.send(member, signal)) {
                sent++;
            }
        }
        return sent;
    }

    private boolean awaitEmpty(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            ChildReaper.reapOrphans();
            if (members().isEmpty()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return members().isEmpty();
            }
        }
    }
}
