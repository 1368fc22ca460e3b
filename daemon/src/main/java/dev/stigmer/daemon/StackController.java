package dev.stigmer.daemon;

import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StackEvent;
import dev.stigmer.control.StackRequest;
import dev.stigmer.control.TemporalClientVariables;
import dev.stigmer.process.Ownership;
import dev.stigmer.services.ServiceComponent;
import dev.stigmer.stack.DependencyCondition;
import dev.stigmer.stack.DependencyDefinition;
import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.Component;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.EventLoop;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.supervision.StackRecord;
import dev.stigmer.supervision.Supervisor;
import dev.stigmer.daemon.StackApi.Applied;
import dev.stigmer.daemon.StackApi.Refused;
import dev.stigmer.temporal.ExternalWatcher;
import dev.stigmer.watch.ServiceWatch;
import dev.stigmer.watch.Watches;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The one owner of the stack's desired state: which components exist, made from which
 * definition, and which are wanted. A START is reconciled into a plan (keep, add, replace,
 * remove) and every supervisor transition re-evaluates what waits on what: a service starts once
 * each dependency meets its condition, and one with {@code restart: true} on an edge is
 * restarted when that dependency comes back as a new process. Temporal is the first member,
 * planned like the others: its definition ({@link LocalSettings}) comes in each START, and a
 * changed spec hash replaces it, without replacing the daemon.
 * <p>
 * All state is confined to one thread; supervisors report their transitions as events queued
 * here, so nothing below ever calls back into a half-done reconciliation.
 */
final class StackController implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.stack");
    static final String TEMPORAL = dev.stigmer.config.TemporalDefaults.NAME;
    private static final java.util.regex.Pattern VALID_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Set<String> RESERVED = Set.of(TEMPORAL, "daemon", "cli");

    private final StigmerHome home;
    private final Function<LocalSettings, Component> temporalFactory;
    private final Consumer<Path> newLog;
    private final StackEvents events;
    private final EventLoop loop = new EventLoop("stack",
            () -> new Refused(ErrorKind.SHUTTING_DOWN, "stigmer local is stopping"));
    // Confined to the loop.
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Members removed from the stack file whose trees are still stopping: their transitions are still events. */
    private final List<Member> leaving = new ArrayList<>();
    private String file; // the stack file whose services run; null: none yet
    private boolean retired;
    private LocalSettings temporal; // Temporal's definition as the last START gave it; null: none yet
    /** The external Temporal's API key, as the last START with a stack sent it: in memory only. */
    private volatile String apiKey;
    private StackRecord lastRecord; // the last run/stack.json written
    /** Writes run/stack.json in order, never on the loop. */
    private final ExecutorService recordWriter = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("stack-record").factory());
    /** Counts the requests that change what is wanted; a STOP marks its members with its number. */
    private long sequence;
    /** Members a restart is stopping, by name, until that stop is done. */
    private final Map<String, CompletableFuture<Void>> restartStops = new HashMap<>();
    /** Supervisors on their way out (replaced or removed), by name, until their trees are gone. */
    private final Map<String, CompletableFuture<Void>> retiring = new HashMap<>();
    /** The services' watches: a change of their files replaces them (after their rebuild). */
    private final Watches watches = new Watches(new Watches.Listener() {
        @Override
        public void filesChanged(String name) {
            post(() -> StackController.this.filesChanged(name));
        }

        @Override
        public void rebuildFailed(String name) { // the old process runs on: an event, so pages show the error at once
            post(() -> events.publish(StackEvent.stackChange(System.currentTimeMillis(), name, "rebuild failed")));
        }
    });
    private boolean watching = true; // false: the last START said --no-watch

    /** One component of the stack, and what the stack wants of it. */
    private final class Member {
        final String name;
        // A Supervisor; for an external Temporal, a watcher. Null while its previous version stops (a replacement).
        Component supervisor;
        ServiceDefinition definition; // null for Temporal
        String specHash; // what it was made from: a service's definition with Temporal's variables, or Temporal's
        boolean wanted;
        long stoppedBy; // the sequence number of the last STOP that stopped it
        int followedRestarts; // restarts because a restart: true dependency came back: counted in RESTARTS
        ComponentState shown; // the state last published as an event
        boolean freshTry; // a START: a failed or exited one may run again
        StackRequest request; // the latest START that (re)defined it: a queued creation uses this one
        boolean creationQueued; // waits for a supervisor of the same name to be gone
        String waitingFor;
        /** Why this controller is stopping or replacing it ("stop requested"); null: it is not. Until it starts again. */
        String intent;
        /** Starts asked of its supervisor and not yet taken: the stopped state it shows meanwhile is no transition. */
        int startsInFlight;
        ComponentSnapshot last;
        /** Per dependency with restart: true, the pid it had when this one last saw it ready. */
        final Map<String, Long> readyDependencyPids = new HashMap<>();

        Member(String name) {
            this.name = name;
        }

        Map<String, DependencyDefinition> dependsOn() {
            return definition == null ? Map.of() : definition.dependsOn();
        }
    }

    /**
     * @param temporalFactory makes Temporal's component from its definition: supervised here, or
     *                        watched when it runs elsewhere (the API key from {@link #apiKey()})
     */
    StackController(StigmerHome home, Function<LocalSettings, Component> temporalFactory, Consumer<Path> newLog,
                    StackEvents events) {
        this.home = home;
        this.temporalFactory = temporalFactory;
        this.newLog = newLog;
        this.events = events;
    }

    /** The external Temporal's API key the last START sent (null: none). */
    String apiKey() {
        return apiKey;
    }

    // ---- requests ----------------------------------------------------------------------------

    /**
     * Applies Temporal's definition {@code temporal} (null: Temporal as it is) and {@code stack}
     * (null: no stack file, services stay as they are), then wants Temporal and the named members
     * with their dependencies (none named: all). Completes once the starts are taken.
     */
    CompletableFuture<Applied> start(LocalSettings temporal, StackRequest stack, List<String> names) {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        CompletableFuture<Applied> planned = call(() -> {
            refuseWhenRetired();
            long number = ++sequence;
            List<String> changes = applyAll(temporal, stack, names, starting, false);
            Set<String> wanted = new LinkedHashSet<>(names.isEmpty() ? members.keySet() : closure(names));
            wanted.add(TEMPORAL);
            for (String name : wanted) {
                Member member = members.get(name);
                member.wanted = true;
                member.freshTry = true;
            }
            evaluateAll(starting);
            publishTransitions();
            return new Applied(changes, List.copyOf(wanted), number);
        });
        // Answered once the starts are taken: a status then shows them starting, not as they were.
        return planned.thenCompose(applied -> CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> applied));
    }

    /**
     * Temporal's definition, then the stack: what a START or a RESTART without names applies.
     * {@code switchStack} (a restart): another file's stack replaces the running one.
     */
    private List<String> applyAll(LocalSettings wantedTemporal, StackRequest stack, List<String> names,
                                  List<CompletableFuture<Void>> checks, boolean switchStack) {
        boolean onlyTemporal = names.stream().allMatch(TEMPORAL::equals);
        // Without a stack file, names must be members of the running stack (the dashboard's start button).
        if (stack == null && !names.isEmpty() && !onlyTemporal && !members.keySet().containsAll(names)) {
            throw new Refused(ErrorKind.BAD_REQUEST, "no stack file here names " + String.join(", ", names)
                    + "; run it where the stigmer.yaml is, or name it with -f");
        }
        if (stack != null && !switchStack) {
            refuseAnotherStack(stack);
        }
        List<String> changes = new ArrayList<>();
        if (wantedTemporal != null) {
            if (stack == null && file != null && temporal != null) {
                // A start from elsewhere (no stack file) has no say on the stack's Temporal, unless it names one.
                String conflict = wantedTemporal.conflictWith(temporal);
                if (conflict != null) {
                    throw new Refused(ErrorKind.CONFLICT, "stigmer local is already running the stack of " + file
                            + ", and " + conflict + "; run it there, or use another STIGMER_HOME");
                }
            } else {
                applyTemporal(wantedTemporal, stack, changes, checks);
            }
        }
        if (!members.containsKey(TEMPORAL)) {
            throw new Refused(ErrorKind.BAD_REQUEST, "Temporal has no definition yet: run `stigmer local` first");
        }
        if (stack != null) {
            changes.addAll(apply(stack, names));
        }
        if (stack != null || wantedTemporal != null) {
            writeStackRecord();
        }
        return changes;
    }

    /** Keep (same spec hash), add, or replace Temporal; the services' variables follow in {@link #apply}. */
    private void applyTemporal(LocalSettings wanted, StackRequest stack, List<String> changes,
                               List<CompletableFuture<Void>> checks) {
        boolean keyChanged = false;
        if (stack != null) {
            keyChanged = !java.util.Objects.equals(apiKey, stack.temporalApiKey());
            apiKey = stack.temporalApiKey();
        }
        String hash = wanted.specHash();
        Member member = members.get(TEMPORAL);
        temporal = wanted;
        if (member != null && hash.equals(member.specHash) && member.supervisor instanceof ExternalWatcher watcher
                && (keyChanged || watcher.snapshot().state() == ComponentState.UNREACHABLE)) {
            // Asked afresh (a new key; a server that may be back): the answer shows this check, not an older one.
            checks.add(watcher.refresh().exceptionally(failure -> null));
        }
        if (member == null) {
            member = new Member(TEMPORAL);
            member.specHash = hash;
            Map<String, Member> reordered = new LinkedHashMap<>();
            reordered.put(TEMPORAL, member);
            reordered.putAll(members);
            members.clear();
            members.putAll(reordered);
            createWhenFree(member, stack, () -> null);
            events.publish(StackEvent.stackChange(System.currentTimeMillis(), TEMPORAL, "added"));
        } else if (!hash.equals(member.specHash)) {
            member.specHash = hash;
            changes.add(TEMPORAL + ": changed" + (stack == null ? "" : " in " + stack.file()) + ", replaced");
            LOG.log(INFO, "temporal: definition changed: replacing it (" + wanted.mode() + " at " + wanted.temporalAddress() + ")");
            member.intent = "being replaced: its definition changed";
            if (member.supervisor != null) {
                retireSupervisor(member.name, member.supervisor);
                member.supervisor = null;
            }
            createWhenFree(member, stack, null);
            events.publish(StackEvent.stackChange(System.currentTimeMillis(), TEMPORAL, "replaced"));
        }
    }

    private void refuseAnotherStack(StackRequest stack) {
        if (file != null && members.size() > 1 && !file.equals(stack.file())) {
            throw new Refused(ErrorKind.ANOTHER_STACK, "stigmer local is already running the stack of " + file
                    + ", not of " + stack.file());
        }
    }

    /** Temporal's client variables for services: over the caller's, under the file's env; the API key with them. */
    private Map<String, String> temporalVariables() {
        Map<String, String> variables = new LinkedHashMap<>(TemporalClientVariables.of(temporal));
        String key = apiKey;
        if (temporal.external() != null && temporal.external().apiKey() && key != null) {
            variables.put(TemporalClientVariables.API_KEY, key);
        }
        return variables;
    }

    /** Stops the named components (none named: every one), dependents before what they depend on. */
    CompletableFuture<Void> stop(List<String> names) {
        CompletableFuture<CompletableFuture<Void>> planned = call(() -> {
            Set<String> targets = names.isEmpty() ? new LinkedHashSet<>(members.keySet()) : checkNames(names);
            long number = ++sequence;
            for (String name : targets) {
                Member member = members.get(name);
                member.wanted = false;
                member.stoppedBy = number;
                member.intent = "stop requested";
            }
            CompletableFuture<Void> stopped = stopInOrder(targets, false);
            publishTransitions();
            return stopped;
        });
        return planned.thenCompose(stopped -> stopped);
    }

    /** Stops everything for good (the daemon is exiting); later starts are refused. */
    CompletableFuture<Void> retire() {
        CompletableFuture<CompletableFuture<Void>> planned = call(() -> {
            retired = true;
            watches.close(); // no rebuild or replacement from here on
            long number = ++sequence;
            members.values().forEach(member -> {
                member.wanted = false;
                member.stoppedBy = number;
                member.intent = "stigmer local is stopping";
            });
            List<CompletableFuture<Void>> all = new ArrayList<>(retiring.values());
            all.add(stopInOrder(new LinkedHashSet<>(members.keySet()), true));
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        });
        return planned.thenCompose(stopped -> stopped);
    }

    /**
     * Applies {@code temporal} and {@code stack} as a START does (when given), then restarts the
     * named members (none named: every one) and the members that follow them ({@code restart:
     * true}): stop, then start as their dependencies allow. Completes once the stops are done and
     * the starts taken; a STOP asked for meanwhile wins (what it stopped stays stopped).
     */
    CompletableFuture<Applied> restart(LocalSettings temporal, StackRequest stack, List<String> names) {
        CompletableFuture<CompletableFuture<Applied>> planned = call(() -> {
            refuseWhenRetired();
            long number = ++sequence;
            List<String> changes = temporal != null || stack != null ? applyAll(temporal, stack, List.of(), new ArrayList<>(), true)
                    : List.<String>of();
            Set<String> targets = withRestartDependents(names.isEmpty() ? new LinkedHashSet<>(members.keySet())
                    : checkNames(names));
            // A member that an earlier restart is stopping right now is not stopped again: that
            // restart's start is after this request too (a burst of restarts starts each member once).
            Set<String> fresh = new LinkedHashSet<>(targets);
            fresh.removeAll(restartStops.keySet());
            List<CompletableFuture<Void>> stops = new ArrayList<>();
            targets.stream().filter(restartStops::containsKey).map(restartStops::get).distinct().forEach(stops::add);
            // Not wanted while they stop: a dependent that stops first must not start again against the old one.
            fresh.forEach(name -> {
                Member member = members.get(name);
                member.wanted = false;
                member.intent = restartIntent(member, names, targets);
            });
            CompletableFuture<Void> own = stopInOrder(fresh, false);
            fresh.forEach(name -> restartStops.put(name, own));
            own.whenComplete((ignored, failure) -> post(() -> fresh.forEach(name -> restartStops.remove(name, own))));
            stops.add(own);
            CompletableFuture<Applied> restarted = new CompletableFuture<>();
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> post(() -> {
                List<CompletableFuture<Void>> starting = new ArrayList<>();
                if (!retired) {
                    for (String name : targets) {
                        Member member = members.get(name);
                        if (member != null && member.stoppedBy < number) {
                            member.wanted = true;
                            member.freshTry = true;
                        }
                    }
                    evaluateAll(starting);
                    publishTransitions();
                }
                CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                        .handle((done, failed) -> restarted.complete(new Applied(changes, List.copyOf(targets), number)));
            }));
            publishTransitions();
            return restarted;
        });
        return planned.thenCompose(restarted -> restarted);
    }

    /** Why a restart stops {@code member}: it was asked for (or all were), or it follows one of {@code targets}. */
    private static String restartIntent(Member member, List<String> names, Set<String> targets) {
        if (names.isEmpty() || names.contains(member.name)) {
            return "restart requested";
        }
        return member.dependsOn().entrySet().stream()
                .filter(edge -> edge.getValue().restart() && targets.contains(edge.getKey()))
                .map(edge -> "restarting with " + edge.getKey() + " (restart: true)")
                .findFirst().orElse("restart requested");
    }

    /** Per member, the number of the last STOP that stopped it, and the current number: see {@link Applied}. */
    Map<String, Long> stops() {
        return onLoop(() -> {
            Map<String, Long> stops = new LinkedHashMap<>();
            members.values().forEach(member -> stops.put(member.name, member.stoppedBy));
            return stops;
        }, Map.of());
    }

    /** What status and the request bookkeeping show, read in one turn of the loop. */
    record View(LocalSettings temporal, List<ComponentSnapshot> components, long sequence, Map<String, Long> stops) {
    }

    View view() {
        return onLoop(() -> {
            Map<String, Long> stops = new LinkedHashMap<>();
            members.values().forEach(member -> stops.put(member.name, member.stoppedBy));
            return new View(temporal, snapshotsNow(), sequence, stops);
        }, new View(null, List.of(), 0, Map.of()));
    }

    /** The current request number. */
    long sequence() {
        return onLoop(() -> sequence, 0L);
    }

    /** Temporal's definition now (null before the first START). */
    LocalSettings temporal() {
        return onLoop(() -> temporal, null);
    }

    /** A read of the loop's state; {@code closed} once the loop is gone (the daemon exiting). */
    private <T> T onLoop(Supplier<T> read, T closed) {
        try {
            return loop.call(read).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Refused refused && refused.kind() == ErrorKind.SHUTTING_DOWN) {
                return closed;
            }
            throw e;
        }
    }

    /** {@code names} and, transitively, every service with a {@code restart: true} edge onto one of them. */
    private Set<String> withRestartDependents(Set<String> names) {
        Set<String> targets = new LinkedHashSet<>(names);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Member member : members.values()) {
                boolean follows = member.dependsOn().entrySet().stream()
                        .anyMatch(edge -> edge.getValue().restart() && targets.contains(edge.getKey()));
                if (follows && targets.add(member.name)) {
                    grew = true;
                }
            }
        }
        return targets;
    }

    /** Each member's dependencies with their conditions, and its web address (an HTTP probe's URL): the dashboard's graph. */
    List<StackApi.Wiring> wiring() {
        return onLoop(() -> members.values().stream().map(member -> {
            List<StackApi.Edge> edges = member.dependsOn().entrySet().stream()
                    .map(e -> new StackApi.Edge(e.getKey(), e.getValue().condition().toString(), e.getValue().restart()))
                    .toList();
            String web = null;
            if (member.definition != null) {
                for (var probe : java.util.Arrays.asList(member.definition.ready(), member.definition.health())) {
                    if (web == null && probe instanceof dev.stigmer.probe.HttpProbeDefinition http) {
                        web = http.url();
                    }
                }
            }
            return new StackApi.Wiring(member.name, edges, web);
        }).toList(), List.of());
    }

    /** Every component as status shows it: Temporal first, then the services in file order. */
    List<ComponentSnapshot> snapshots() {
        return onLoop(this::snapshotsNow, List.of());
    }

    /**
     * How long stopping everything may take: along the longest chain of dependents, each one's
     * grace and kill wait (they stop one after another; independent ones in parallel).
     */
    long stopBoundMillis() {
        return onLoop(() -> {
            Map<String, Long> bound = new HashMap<>();
            long longest = 0;
            for (String name : members.keySet()) {
                longest = Math.max(longest, stopBound(name, bound, new LinkedHashSet<>()));
            }
            return longest;
        }, 0L);
    }

    private long stopBound(String name, Map<String, Long> bound, Set<String> visiting) {
        Long known = bound.get(name);
        if (known != null) {
            return known;
        }
        Member member = members.get(name);
        long own = member.supervisor == null ? 0 : member.supervisor.stopBound().toMillis();
        long dependents = 0;
        if (visiting.add(name)) {
            for (Member other : members.values()) {
                if (other.dependsOn().containsKey(name) || (name.equals(TEMPORAL) && other.definition != null)) {
                    dependents = Math.max(dependents, stopBound(other.name, bound, visiting));
                }
            }
        }
        bound.put(name, own + dependents);
        return own + dependents;
    }

    /** The stack file whose services run, if any. */
    String file() {
        return loop.call(() -> file).join();
    }

    // ---- reconciliation ----------------------------------------------------------------------

    private List<String> apply(StackRequest stack, List<String> names) {
        Map<String, ServiceDefinition> desired = new LinkedHashMap<>();
        for (ServiceDefinition service : stack.services()) {
            // Names become file names (run/NAME.json, logs/NAME.log): checked here too, not only by the CLI.
            if (service.name() == null || !VALID_NAME.matcher(service.name()).matches() || RESERVED.contains(service.name())
                    || desired.put(service.name(), service) != null) {
                throw new Refused(ErrorKind.BAD_REQUEST, "invalid service name '" + service.name() + "'");
            }
        }
        for (String name : names) {
            if (!desired.containsKey(name) && !name.equals(TEMPORAL)) {
                throw new Refused(ErrorKind.BAD_REQUEST, "no service named '" + name + "' in " + stack.file() + "; it has: "
                        + String.join(", ", desired.keySet()));
            }
        }
        Set<String> touched = names.isEmpty() ? desired.keySet() : closure(names, desired);
        List<String> changes = new ArrayList<>();
        if (names.isEmpty()) {
            for (Member member : List.copyOf(members.values())) {
                if (member.definition != null && !desired.containsKey(member.name)) {
                    changes.add(member.name + ": removed, stopped");
                    remove(member);
                    events.publish(StackEvent.stackChange(System.currentTimeMillis(), member.name, "removed"));
                }
            }
        }
        if (file == null) {
            sweepLeftovers(desired.keySet());
        }
        file = stack.file();
        watching = stack.watch();
        Map<String, Member> reordered = new LinkedHashMap<>();
        reordered.put(TEMPORAL, members.get(TEMPORAL));
        Supplier<Set<String>> markedNow = sharedScan();
        Map<String, String> variables = temporalVariables();
        for (ServiceDefinition service : desired.values()) {
            Member member = members.get(service.name());
            // Temporal's variables are part of a service's definition: a new port replaces it, an unchanged one keeps it.
            String hash = ServiceComponent.specHash(service, variables);
            if (member == null) {
                boolean earlier = Files.exists(home.componentRecord(service.name()));
                member = new Member(service.name());
                member.definition = service;
                member.specHash = hash;
                members.put(service.name(), member);
                createWhenFree(member, stack, markedNow);
                changes.add(service.name() + (earlier ? ": found from an earlier daemon: kept if unchanged, else replaced"
                        : ": added"));
                events.publish(StackEvent.stackChange(System.currentTimeMillis(), service.name(), "added"));
            } else if (touched.contains(service.name()) && !hash.equals(member.specHash)) {
                changes.add(service.name() + ": changed, replaced");
                member.specHash = hash;
                replace(member, service, stack);
                events.publish(StackEvent.stackChange(System.currentTimeMillis(), service.name(), "replaced"));
            } else if (touched.contains(service.name())) {
                member.definition = service; // the same spec; its edges may differ
            } // else: not asked for, left exactly as it is
            reordered.put(service.name(), member);
        }
        members.values().stream().filter(m -> !reordered.containsKey(m.name)).forEach(m -> reordered.put(m.name, m));
        members.clear();
        members.putAll(reordered);
        for (Member member : members.values()) {
            if (member.supervisor instanceof Supervisor supervisor && member.definition != null) {
                defineWatch(member, supervisor.spec()); // --no-watch or not, and a kept member's watch
            }
        }
        return changes;
    }

    /**
     * The first stack this daemon runs: processes of components that are neither Temporal nor in
     * the file (left by an earlier daemon, whose file has changed since) are stopped, off the loop.
     */
    private void sweepLeftovers(Set<String> services) {
        Set<String> keep = new LinkedHashSet<>(services);
        keep.add(TEMPORAL);
        Thread.ofVirtual().name("stack-sweep").start(() -> {
            // Each with the stop signal and grace the earlier daemon recorded for it, dependents
            // first; their records go too.
            StackRecord.stopLeftovers(home, keep);
        });
    }

    /** run/stack.json: how each member stops and what it depends on, for a later daemon if this one is killed. */
    private void writeStackRecord() {
        Map<String, StackRecord.Member> record = new LinkedHashMap<>();
        for (Member member : members.values()) {
            if (member.supervisor instanceof Supervisor supervisor) {
                Set<String> stopsBefore = new LinkedHashSet<>(member.dependsOn().keySet());
                if (member.definition != null) {
                    stopsBefore.add(TEMPORAL); // Temporal stops after the services that use it
                }
                record.put(member.name, StackRecord.Member.of(supervisor.spec().stopPolicy(), List.copyOf(stopsBefore)));
            }
        }
        StackRecord next = new StackRecord(record, file);
        if (!next.equals(lastRecord)) {
            lastRecord = next;
            // Off the loop: an fsync under load can take seconds, and requests wait for the loop.
            recordWriter.execute(() -> next.write(home));
        }
    }

    /**
     * One walk of /proc (the components that have a process carrying their mark) for all the
     * recoveries of one apply, made by the first that needs it, on its worker. Fifty new services
     * then cost one walk instead of a hundred, which on two cores took 4 s. Null when it fails:
     * each recovery then walks /proc itself.
     */
    private Supplier<Set<String>> sharedScan() {
        FutureTask<Set<String>> scan = new FutureTask<>(() -> Set.copyOf(Ownership.scan(home.root()).keySet()));
        return () -> {
            scan.run(); // the first caller walks; the others wait for its answer
            try {
                return scan.get();
            } catch (ExecutionException e) {
                LOG.log(WARNING, "cannot scan /proc for leftovers", e.getCause());
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        };
    }

    /**
     * A supervisor for {@code member}'s definition. With {@code recovery} (a shared scan, see
     * {@link #sharedScan}) it first adopts what an earlier daemon left, if it is of this spec.
     */
    private void create(Member member, StackRequest stack, Supplier<Set<String>> recovery) {
        member.followedRestarts = 0;
        if (member.name.equals(TEMPORAL)) {
            Component component = temporalFactory.apply(temporal);
            member.supervisor = component;
            member.last = component.snapshot();
            component.onChange(snapshot -> post(() -> changed(member, component, snapshot)));
            if (component instanceof Supervisor supervisor) {
                newLog.accept(supervisor.spec().log());
            }
            if (recovery != null) {
                // The first Temporal of this daemon: adopt the one an earlier daemon left, if it is of this spec.
                component.recover().whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        LOG.log(WARNING, "temporal: recovery failed", failure);
                    }
                    post(() -> evaluate(member));
                });
            }
            return;
        }
        ComponentSpec spec = ServiceComponent.spec(member.definition, stack.environment(), temporalVariables(), home);
        Supervisor supervisor = new Supervisor(spec, new Ownership(home.root(), member.name), home.componentRecord(member.name));
        member.supervisor = supervisor;
        member.last = supervisor.snapshot();
        supervisor.onChange(snapshot -> post(() -> changed(member, supervisor, snapshot)));
        newLog.accept(spec.log());
        defineWatch(member, spec);
        if (recovery != null) {
            supervisor.recover(recovery).whenComplete((ignored, failure) -> post(() -> evaluate(member)));
        }
    }

    /**
     * A watched member's files changed (and its rebuild, if any, succeeded): replaced as a
     * reconcile replaces a changed member, the old tree gone first; its restart: true dependents
     * follow once it is ready as the new process. One that is not wanted stays stopped.
     */
    private void filesChanged(String name) {
        Member member = members.get(name);
        if (member == null || retired || member.definition == null || !member.wanted) {
            return;
        }
        replace(member, member.definition, member.request, "files changed" + changedFile(member));
        events.publish(StackEvent.stackChange(System.currentTimeMillis(), name, "replaced"));
        publishTransitions();
    }

    /** " (src/x.py)": the change that set its watch off, from the stack file's directory; "" when none is known. */
    private String changedFile(Member member) {
        var change = watches.lastChange(member.name);
        if (change == null) {
            return "";
        }
        Path path = Path.of(change.path());
        var watch = member.definition.watch();
        Path base = watch == null || watch.base() == null ? null : Path.of(watch.base());
        return " (" + (base != null && path.startsWith(base) ? base.relativize(path) : path) + ")";
    }

    /** Its watch as its definition says, unless the last START said --no-watch; the rebuild runs like it. */
    private void defineWatch(Member member, ComponentSpec spec) {
        var watch = watching ? member.definition.watch() : null;
        Map<String, String> environment = new HashMap<>(spec.environment());
        // Marked as the service's rebuild: a later daemon or `stop` finds it if this daemon is killed meanwhile.
        environment.putAll(new Ownership(home.root(), member.name + ".rebuild").environment());
        watches.define(member.name, watch, new ServiceWatch.RebuildContext(spec.workingDir(), environment, spec.log(),
                home.root()));
    }

    /** The old tree is gone before the new one starts: retire, then create from the new definition. */
    private void replace(Member member, ServiceDefinition service, StackRequest stack) {
        replace(member, service, stack, "its definition changed");
    }

    private void replace(Member member, ServiceDefinition service, StackRequest stack, String why) {
        member.definition = service;
        member.intent = "being replaced: " + why;
        member.readyDependencyPids.clear();
        LOG.log(INFO, "{0}: {1}: replacing it", member.name, why);
        if (member.supervisor != null) {
            retireSupervisor(member.name, member.supervisor);
            member.supervisor = null;
        }
        createWhenFree(member, stack, null);
    }

    private void remove(Member member) {
        members.remove(member.name);
        watches.remove(member.name);
        member.wanted = false;
        member.waitingFor = null;
        member.intent = "removed from the stack file";
        if (member.supervisor != null) {
            LOG.log(INFO, "{0}: no longer in the stack file: stopping it", member.name);
            // Its stopping and stopped are still events, until its tree is gone.
            leaving.add(member);
            retireSupervisor(member.name, member.supervisor).whenComplete((ignored, failure) -> post(() -> {
                publishTransitions();
                leaving.remove(member);
            }));
        }
    }

    /** Stops {@code supervisor} for good; until its tree is gone no supervisor of that name is made, and retire() waits for it. */
    private CompletableFuture<Void> retireSupervisor(String name, Component supervisor) {
        CompletableFuture<Void> gone = supervisor.retire().handle((ignored, failure) -> {
            supervisor.close();
            return null;
        });
        CompletableFuture<Void> earlier = retiring.get(name);
        CompletableFuture<Void> all = earlier == null ? gone : CompletableFuture.allOf(earlier, gone);
        retiring.put(name, all);
        all.whenComplete((ignored, failure) -> post(() -> retiring.remove(name, all)));
        return gone;
    }

    /**
     * Makes {@code member}'s supervisor now, or once an earlier one of the same name is gone (its
     * tree stopped: a new process must not be taken for the old one's). A creation already queued
     * uses the latest request.
     */
    private void createWhenFree(Member member, StackRequest stack, Supplier<Set<String>> recovery) {
        member.request = stack;
        CompletableFuture<Void> earlier = retiring.get(member.name);
        if (earlier == null) {
            create(member, stack, recovery);
            return;
        }
        if (member.creationQueued) {
            return;
        }
        member.creationQueued = true;
        earlier.whenComplete((ignored, failure) -> post(() -> {
            member.creationQueued = false;
            if (members.get(member.name) == member && !retired && member.supervisor == null) {
                create(member, member.request, null);
                writeStackRecord();
                evaluate(member);
            }
        }));
    }

    private void changed(Member member, Component from, ComponentSnapshot snapshot) {
        if (member.supervisor != from) {
            return; // a replaced version's last words
        }
        member.last = snapshot;
        evaluateAll();
    }

    private void evaluateAll() {
        evaluateAll(new ArrayList<>());
        publishTransitions();
    }

    /** Evaluates every member; the starts it asks for go to {@code starting}. */
    private void evaluateAll(List<CompletableFuture<Void>> starting) {
        if (!retired) {
            members.values().forEach(member -> evaluate(member, starting));
        }
    }

    private void evaluate(Member member) {
        evaluate(member, new ArrayList<>());
        publishTransitions();
    }

    /** An event for every member (and every removed one still stopping) whose state, as status shows it, changed since the last one. */
    private void publishTransitions() {
        long now = System.currentTimeMillis();
        List<Member> all = new ArrayList<>(members.values());
        all.addAll(leaving);
        for (Member member : all) {
            ComponentSnapshot shown = shown(member);
            if (shown == null || shown.state() == member.shown) {
                continue;
            }
            if (shown.state() == ComponentState.STOPPED && member.startsInFlight > 0) {
                continue; // not stopped: its supervisor has yet to take the start (waiting -> starting, not via stopped)
            }
            events.publish(StackEvent.transition(now, member.name, member.shown, shown.state(), shown.pid(),
                    reason(member, member.shown, shown)));
            member.shown = shown.state();
            if (shown.state() != ComponentState.STOPPING && shown.state() != ComponentState.STOPPED) {
                member.intent = null; // what stopped it is over
            }
        }
    }

    /**
     * Why {@code member} went from {@code from} to {@code shown}'s state, in one line, or null:
     * an exit only for the transitions it caused, a stop's or replacement's cause for those.
     */
    private static String reason(Member member, ComponentState from, ComponentSnapshot shown) {
        String exit = shown.lastError() != null ? shown.lastError() : shown.lastExit();
        return switch (shown.state()) {
            case BACKOFF, EXITED, FAILED, COMPLETED -> exit;
            // Started again at once after an exit (no backoff), or after the backoff it waited.
            case STARTING -> from == ComponentState.RUNNING || from == ComponentState.UNHEALTHY
                    || from == ComponentState.BACKOFF ? exit : null;
            case WAITING, UNHEALTHY, UNREACHABLE -> shown.lastError(); // on what; the failing checks
            case STOPPING, STOPPED -> member.intent;
            case RUNNING, RECOVERING -> null;
        };
    }

    /** Starts a wanted member whose dependencies are met; holds it back, saying on what, when they are not. */
    private void evaluate(Member member, List<CompletableFuture<Void>> starting) {
        if (member.supervisor == null || retired) {
            return;
        }
        ComponentState state = member.supervisor.snapshot().state();
        if (!member.wanted) {
            member.waitingFor = null;
            return;
        }
        boolean idle = state == ComponentState.STOPPED
                || (member.freshTry && (state == ComponentState.FAILED || state == ComponentState.EXITED));
        if (!idle) {
            // A fresh try is for what has failed or exited when it is asked for; one that is still
            // on its way (backoff, starting) must not get a second set of tries when it fails later.
            member.freshTry = false;
            member.waitingFor = null;
            restartOnDependencyChange(member);
            return;
        }
        String blocker = unmetDependency(member);
        if (blocker != null) {
            member.waitingFor = "waiting for " + blocker;
            return;
        }
        member.waitingFor = null;
        member.freshTry = false;
        member.readyDependencyPids.clear();
        rememberReadyDependencies(member);
        member.startsInFlight++;
        CompletableFuture<Void> start = member.supervisor.start().exceptionally(failure -> {
            LOG.log(WARNING, member.name + ": start refused: " + failure.getMessage());
            return null;
        });
        start.whenComplete((ignored, failure) -> post(() -> {
            member.startsInFlight--;
            publishTransitions();
        }));
        starting.add(start);
    }

    /** The first dependency that does not yet meet its condition, as people read it; null when all do. */
    private String unmetDependency(Member member) {
        for (var edge : member.dependsOn().entrySet()) {
            Member dependency = members.get(edge.getKey());
            DependencyCondition condition = edge.getValue().condition();
            if (dependency == null || dependency.supervisor == null) {
                return edge.getKey() + " (" + condition + ")";
            }
            ComponentSnapshot snapshot = dependency.supervisor.snapshot();
            if (!meets(snapshot, condition)) {
                String why = switch (snapshot.state()) {
                    case FAILED, EXITED -> ": " + edge.getKey() + " " + snapshot.state()
                            + (snapshot.lastError() == null ? "" : " (" + snapshot.lastError() + ")");
                    case STOPPED -> dependency.wanted ? "" : ": " + edge.getKey() + " is stopped";
                    default -> "";
                };
                return edge.getKey() + " (" + condition + ")" + why;
            }
        }
        return null;
    }

    private static boolean meets(ComponentSnapshot dependency, DependencyCondition condition) {
        return switch (condition) {
            // RUNNING: an external Temporal has no pid of ours, and started is as good as reachable there.
            case STARTED -> dependency.pid() != null || dependency.state() == ComponentState.COMPLETED
                    || dependency.state() == ComponentState.RUNNING;
            case HEALTHY -> dependency.state() == ComponentState.RUNNING || dependency.state() == ComponentState.COMPLETED;
            case COMPLETED -> dependency.state() == ComponentState.COMPLETED;
        };
    }

    private void rememberReadyDependencies(Member member) {
        for (var edge : member.dependsOn().entrySet()) {
            Member dependency = members.get(edge.getKey());
            if (edge.getValue().restart() && dependency != null && dependency.supervisor != null) {
                ComponentSnapshot snapshot = dependency.supervisor.snapshot();
                if (snapshot.state() == ComponentState.RUNNING && snapshot.pid() != null) {
                    member.readyDependencyPids.put(edge.getKey(), snapshot.pid());
                }
            }
        }
    }

    /** restart: true: a dependency that is ready again as a new process restarts this one. */
    private void restartOnDependencyChange(Member member) {
        for (var edge : member.dependsOn().entrySet()) {
            if (!edge.getValue().restart()) {
                continue;
            }
            Member dependency = members.get(edge.getKey());
            if (dependency == null || dependency.supervisor == null) {
                continue;
            }
            ComponentSnapshot snapshot = dependency.supervisor.snapshot();
            if (snapshot.state() != ComponentState.RUNNING || snapshot.pid() == null) {
                continue;
            }
            Long seen = member.readyDependencyPids.put(edge.getKey(), snapshot.pid());
            if (seen != null && !seen.equals(snapshot.pid())) {
                LOG.log(INFO, "{0}: {1} is ready again as a new process (pid {2}): restarting {0} (restart: true)",
                        member.name, edge.getKey(), snapshot.pid());
                member.followedRestarts++;
                member.intent = edge.getKey() + " is ready again as a new process (restart: true)";
                Component supervisor = member.supervisor;
                supervisor.stop().whenComplete((ignored, failure) -> post(() -> {
                    if (member.supervisor == supervisor && member.wanted) {
                        member.freshTry = true;
                        evaluate(member);
                    }
                }));
                return;
            }
        }
    }

    // ---- stopping ----------------------------------------------------------------------------

    /**
     * Stops {@code targets}, each once every target that depends on it has stopped: independent
     * ones in parallel, Temporal after the services that use it.
     */
    private CompletableFuture<Void> stopInOrder(Set<String> targets, boolean forGood) {
        Map<String, CompletableFuture<Void>> stops = new HashMap<>();
        for (String name : targets) {
            stopAfterDependents(name, targets, forGood, stops);
        }
        return CompletableFuture.allOf(stops.values().toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> stopAfterDependents(String name, Set<String> targets, boolean forGood,
                                                        Map<String, CompletableFuture<Void>> stops) {
        CompletableFuture<Void> known = stops.get(name);
        if (known != null) {
            return known;
        }
        List<CompletableFuture<Void>> before = new ArrayList<>();
        for (Member other : members.values()) {
            boolean dependent = other.dependsOn().containsKey(name) || (name.equals(TEMPORAL) && other.definition != null);
            if (dependent && targets.contains(other.name) && !other.name.equals(name)) {
                before.add(stopAfterDependents(other.name, targets, forGood, stops));
            }
        }
        Member member = members.get(name);
        Component supervisor = member.supervisor;
        CompletableFuture<Void> stop = CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> null)
                .thenCompose(ignored -> supervisor == null ? CompletableFuture.<Void>completedFuture(null)
                        : (forGood ? supervisor.retire() : supervisor.stop()).handle((done, failure) -> null));
        stops.put(name, stop);
        return stop;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private List<ComponentSnapshot> snapshotsNow() {
        List<ComponentSnapshot> snapshots = new ArrayList<>();
        for (Member member : members.values()) {
            ComponentSnapshot snapshot = shown(member);
            if (snapshot != null) {
                snapshots.add(snapshot);
            }
        }
        return snapshots;
    }

    /** {@code member} as status shows it: the one place that makes a member's state for users. */
    private ComponentSnapshot shown(Member member) {
        ComponentSnapshot snapshot = member.supervisor != null ? member.supervisor.snapshot() : member.last;
        if (snapshot == null) {
            return null;
        }
        int restarts = snapshot.restarts() + member.followedRestarts;
        if (member.supervisor == null) {
            snapshot = new ComponentSnapshot(snapshot.name(), snapshot.kind(), ComponentState.STOPPING, snapshot.pid(),
                    snapshot.address(), snapshot.mode(), snapshot.persistent(), snapshot.links(), restarts,
                    snapshot.adopted(), snapshot.startedAtMillis(), List.of(), snapshot.exitCode(), snapshot.lastExit(),
                    member.intent, List.of(), snapshot.roundTripMicros());
        } else if (member.followedRestarts > 0) {
            snapshot = new ComponentSnapshot(snapshot.name(), snapshot.kind(), snapshot.state(), snapshot.pid(),
                    snapshot.address(), snapshot.mode(), snapshot.persistent(), snapshot.links(), restarts,
                    snapshot.adopted(), snapshot.startedAtMillis(), snapshot.dependsOn(), snapshot.exitCode(),
                    snapshot.lastExit(), snapshot.lastError(), snapshot.logTail(), snapshot.roundTripMicros());
        }
        return watches.shown(member.name, snapshot.inStack(List.copyOf(member.dependsOn().keySet()), member.waitingFor));
    }

    /** {@code names} and everything they depend on, transitively. */
    private Set<String> closure(List<String> names) {
        Map<String, ServiceDefinition> definitions = new LinkedHashMap<>();
        members.values().stream().filter(m -> m.definition != null).forEach(m -> definitions.put(m.name, m.definition));
        return closure(names, definitions);
    }

    private static Set<String> closure(List<String> names, Map<String, ServiceDefinition> definitions) {
        Set<String> result = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(names);
        while (!todo.isEmpty()) {
            String name = todo.removeLast();
            if (result.add(name) && definitions.containsKey(name)) {
                todo.addAll(definitions.get(name).dependsOn().keySet());
            }
        }
        return result;
    }

    private Set<String> checkNames(List<String> names) {
        Set<String> known = new LinkedHashSet<>();
        for (String name : names) {
            if (!members.containsKey(name)) {
                throw new Refused(ErrorKind.BAD_REQUEST, "no component named '" + name + "'; there are: "
                        + String.join(", ", members.keySet()));
            }
            known.add(name);
        }
        return known;
    }

    private void refuseWhenRetired() {
        if (retired) {
            throw new Refused(ErrorKind.SHUTTING_DOWN, "stigmer local is stopping");
        }
    }

    private void post(Runnable event) {
        loop.post(event); // false once closed: the daemon is going away
    }

    private <T> CompletableFuture<T> call(Supplier<T> work) {
        return loop.call(work);
    }

    @Override
    public void close() {
        loop.close();
        watches.close();
        recordWriter.close(); // what was queued is written
        members.values().forEach(member -> {
            if (member.supervisor != null) {
                member.supervisor.close();
            }
        });
    }
}
