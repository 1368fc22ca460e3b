package dev.stigmer.supervision;

import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessTree;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * run/stack.json: how each member of the stack is stopped (its stop signal, grace and kill wait)
 * and what it depends on, written by the daemon whenever the stack changes. No environment, no
 * key: only what a later daemon needs to stop what a killed one left exactly as the dead one
 * would have: each with its own signal and grace, dependents first (a service lists Temporal).
 *
 * @param members by name, in stack order
 * @param file    the stack file whose stack runs; null: Temporal alone (or a record of an older
 *                daemon). A start without a stack file keeps that file's Temporal, so the CLI
 *                reads it here to name what runs (`env`, a start's first line).
 */
public record StackRecord(Map<String, Member> members, String file) {
    private static final System.Logger LOG = System.getLogger("stigmer.leftovers");
    /** Components that are never members (their processes are stopped some other way). */
    private static final Set<String> NOT_MEMBERS = Set.of("daemon", "cli");

    /** @param dependsOn what must stop after it (for a service: its depends_on, and Temporal) */
    public record Member(int stopSignal, long stopGraceMillis, long killWaitMillis, List<String> dependsOn) {
        public Member {
            dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        }

        public static Member of(StopPolicy policy, List<String> dependsOn) {
            return new Member(policy.signal(), policy.grace().toMillis(), policy.killWait().toMillis(), dependsOn);
        }

        StopPolicy policy() {
            return new StopPolicy(Duration.ofMillis(stopGraceMillis), Duration.ofMillis(killWaitMillis), stopSignal);
        }
    }

    public StackRecord(Map<String, Member> members) {
        this(members, null);
    }

    public StackRecord {
        members = members == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    public void write(StigmerHome home) {
        try {
            Json.writeFile(home.stackRecord(), this);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write " + home.stackRecord(), e);
        }
    }

    public static StackRecord read(StigmerHome home) {
        return Json.readFile(home.stackRecord(), StackRecord.class).orElse(new StackRecord(Map.of()));
    }

    /**
     * The stack file the record names, read alone: what a start without a stack file asks, on the
     * CLI's quickest path. Reading the whole record there cost ~6 ms (Gson builds the adapters of
     * both records on first use), this ~0.5 ms.
     */
    public static Optional<String> file(StigmerHome home) {
        return Json.readFile(home.stackRecord(), FileOnly.class).map(FileOnly::file);
    }

    private record FileOnly(String file) {
    }

    /**
     * Stops every process of {@code home} that carries a component's mark, except {@code keep}
     * and the daemon's: each component with the stop signal, grace and kill wait the stack record
     * gives it (the defaults for one it does not name), once what depends on it is gone;
     * independent ones in parallel. Blocks until done.
     *
     * @return the processes that survived even SIGKILL, by component (empty: all gone)
     */
    public static Map<String, List<ProcStat>> stopLeftovers(StigmerHome home, Set<String> keep) {
        Map<String, List<ProcStat>> found = new LinkedHashMap<>(Ownership.scan(home.root()));
        found.keySet().removeIf(name -> NOT_MEMBERS.contains(name) || keep.contains(name));
        Map<String, List<ProcStat>> survivors = found.isEmpty() ? Map.of() : stopMarked(home, found);
        // What carries no mark (it dropped its environment) is still in its run's cgroup: ended
        // once the marked processes had their stop signal and grace.
        CgroupRoot cgroups = CgroupRoot.of(home.root());
        StackRecord record = read(home);
        for (String component : cgroups.components()) {
            if (!keep.contains(component) && !NOT_MEMBERS.contains(component)) {
                StopPolicy policy = Optional.ofNullable(record.members().get(component)).map(Member::policy).orElse(StopPolicy.DEFAULT);
                cgroups.removeComponent(component, policy.killWait().toMillis());
            }
        }
        deleteMemberRecords(home, keep);
        return survivors;
    }

    /**
     * Deletes run/NAME.json of every component but {@code keep}, as a member's own stop does: a
     * completed one-shot's record would keep the next daemon from running it again, though what
     * it prepared (the data of an embedded Temporal, say) went with the stop.
     */
    private static void deleteMemberRecords(StigmerHome home, Set<String> keep) {
        try (var records = Files.list(home.runDir())) {
            for (Path record : records.toList()) {
                String name = record.getFileName().toString();
                String component = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : null;
                if (component != null && !keep.contains(component) && !NOT_MEMBERS.contains(component)
                        && record.equals(home.componentRecord(component))
                        && !record.equals(home.daemonRecord()) && !record.equals(home.stackRecord())) {
                    Files.deleteIfExists(record);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete the records of " + home.runDir(), e);
        }
    }

    private static Map<String, List<ProcStat>> stopMarked(StigmerHome home, Map<String, List<ProcStat>> found) {
        StackRecord record = read(home);
        Map<String, CompletableFuture<List<ProcStat>>> stops = new HashMap<>();
        for (String name : found.keySet()) {
            stopAfterDependents(home, record, name, found.keySet(), stops, new java.util.HashSet<>());
        }
        Map<String, List<ProcStat>> survivors = new LinkedHashMap<>();
        stops.forEach((name, stop) -> {
            List<ProcStat> left = stop.join();
            if (!left.isEmpty()) {
                survivors.put(name, left);
            }
        });
        return survivors;
    }

    private static CompletableFuture<List<ProcStat>> stopAfterDependents(StigmerHome home, StackRecord record, String name,
                                                                         Set<String> present,
                                                                         Map<String, CompletableFuture<List<ProcStat>>> stops,
                                                                         Set<String> visiting) {
        CompletableFuture<List<ProcStat>> known = stops.get(name);
        if (known != null) {
            return known;
        }
        CompletableFuture<List<ProcStat>> stop = new CompletableFuture<>();
        stops.put(name, stop);
        visiting.add(name);
        List<CompletableFuture<List<ProcStat>>> before = new ArrayList<>();
        for (String other : present) {
            Member member = record.members().get(other);
            // Not on an ancestor: a cycle in a corrupt record must not wait for itself.
            boolean dependent = !other.equals(name) && !visiting.contains(other)
                    && member != null && member.dependsOn().contains(name);
            if (dependent) {
                before.add(stopAfterDependents(home, record, other, present, stops, visiting));
            }
        }
        visiting.remove(name);
        StopPolicy policy = Optional.ofNullable(record.members().get(name)).map(Member::policy).orElse(StopPolicy.DEFAULT);
        CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> null)
                .thenApplyAsync(ignored -> {
                    LOG.log(System.Logger.Level.INFO, "{0}: left by an earlier daemon: stopping it (signal {1}, grace {2} ms)",
                            name, policy.signal(), policy.grace().toMillis());
                    return new ProcessTree(new Ownership(home.root(), name), Optional.empty()).stop(policy);
                }, runnable -> Thread.ofVirtual().name("leftover-" + name).start(runnable))
                .whenComplete((value, failure) -> {
                    if (failure != null) {
                        stop.completeExceptionally(failure);
                    } else {
                        stop.complete(value);
                    }
                });
        return stop;
    }
}
