package dev.stigmer.process;

import dev.stigmer.os.Linux;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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
    private final Set<String> scope; // marked processes that count; null: every one, now or later

    /**
     * Everything of the component: its leader's group and session, and every process with the
     * component's mark, including any that appear while stopping. For a full stop, when nothing
     * will start a successor.
     *
     * @param leader the recorded leader, if any; its group counts as ours only while the leader
     *               verifiably is that process or the group's members carry our mark
     */
    public ProcessTree(Ownership ownership, Optional<ProcessIdentity> leader) {
        this(ownership, leader, null);
    }

    private ProcessTree(Ownership ownership, Optional<ProcessIdentity> leader, Set<String> scope) {
        this.ownership = ownership;
        this.leader = leader;
        this.scope = scope;
    }

    /**
     * One run's tree as it is now: the leader's group and session, and the marked processes
     * alive now (its escapees). A successor the supervisor starts while this tree is being
     * stopped leads a session of its own and did not exist yet, so it is never a member.
     */
    public static ProcessTree rootedAt(Ownership ownership, ProcessIdentity leader) {
        Set<String> now = new HashSet<>();
        for (ProcStat stat : ProcFs.all()) {
            if (stat.isAlive() && ownership.marks(stat.pid())) {
                now.add(key(stat));
            }
        }
        return new ProcessTree(ownership, Optional.of(leader), now);
    }

    private static String key(ProcStat stat) {
        return stat.pid() + ":" + stat.startTicks();
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
            boolean inScope = scope == null || inGroup || scope.contains(key(stat));
            if ((inGroup && leaderVerified) || (inScope && ownership.marks(stat.pid()))) {
                members.add(stat);
            }
        }
        return members;
    }

    public boolean isEmpty() {
        return members().isEmpty();
    }

    /**
     * SIGTERM then SIGCONT (a stopped process acts on nothing until continued) to every member,
     * up to {@code policy.grace()} for them to go, then SIGKILL and a wait for the last one.
     * Returns the members that survived even SIGKILL (normally none).
     */
    public List<ProcStat> stop(StopPolicy policy) {
        if (signalAll(Linux.SIGTERM) > 0) {
            signalAll(Linux.SIGCONT);
            if (awaitEmpty(policy.grace().toMillis())) {
                return List.of();
            }
        }
        return kill(policy.killWait().toMillis());
    }

    /** SIGKILL to every member, then wait up to {@code waitMillis} until none is left. */
    public List<ProcStat> kill(long waitMillis) {
        signalAll(Linux.SIGKILL);
        awaitEmpty(waitMillis);
        ChildReaper.reapOrphans();
        return members();
    }

    /** SIGKILL to every member, without waiting. */
    public void killNow() {
        signalAll(Linux.SIGKILL);
    }

    /**
     * SIGKILL, without waiting, to what a dead leader left in its session or group and that
     * carries our mark. Unlike {@link #killNow} it cannot touch a successor already started,
     * which leads a session of its own.
     */
    public static void killOrphansOf(Ownership ownership, long deadLeader) {
        for (ProcStat stat : ProcFs.all()) {
            if (stat.isAlive() && stat.pid() != SELF && (stat.pgid() == deadLeader || stat.sid() == deadLeader)
                    && ownership.marks(stat.pid())) {
                ProcessSignals.send(stat, Linux.SIGKILL);
            }
        }
    }

    private int signalAll(int signal) {
        List<ProcStat> members = members();
        leader.filter(ProcessIdentity::isAlive).ifPresent(id -> ProcessSignals.sendToGroup(id.pid(), signal));
        int sent = 0;
        for (ProcStat member : members) {
            if (ProcessSignals.send(member, signal)) {
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
