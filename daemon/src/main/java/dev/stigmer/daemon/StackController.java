package dev.stigmer.daemon;

import dev.stigmer.control.StackRequest;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcessTree;
import dev.stigmer.process.StopPolicy;
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
import dev.stigmer.supervision.Supervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * restarted when that dependency comes back as a new process. Temporal is the first member.
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
    private final Function<StackRequest, Map<String, String>> temporalVariables;
    private final Consumer<Path> newLog;
    private final EventLoop loop = new EventLoop("stack", () -> new Refused("stigmer local is stopping", false));
    // Confined to the loop.
    private final Map<String, Member> members = new LinkedHashMap<>();
    private String file; // the stack file whose services run; null: none yet
    private boolean retired;
    /** Supervisors on their way out (replaced or removed), by name, until their trees are gone. */
    private final Map<String, CompletableFuture<Void>> retiring = new HashMap<>();

    /** One component of the stack, and what the stack wants of it. */
    private final class Member {
        final String name;
        // A Supervisor; for an external Temporal, a watcher. Null while its previous version stops (a replacement).
        Component supervisor;
        ServiceDefinition definition; // null for Temporal
        boolean wanted;
        boolean freshTry; // a START: a failed or exited one may run again
        StackRequest request; // the latest START that (re)defined it: a queued creation uses this one
        boolean creationQueued; // waits for a supervisor of the same name to be gone
        String waitingFor;
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

    /** A request the stack turns down: the message is the user's one line. */
    static final class Refused extends EventLoop.Refused {
        final boolean conflict;

        Refused(String message, boolean conflict) {
            super(message);
            this.conflict = conflict;
        }
    }

    /**
     * @param temporal          Temporal: supervised here, or watched when it runs elsewhere
     * @param temporalVariables Temporal's client variables for the services a START creates
     */
    StackController(StigmerHome home, Component temporal, Function<StackRequest, Map<String, String>> temporalVariables,
                    Consumer<Path> newLog) {
        this.home = home;
        this.temporalVariables = temporalVariables;
        this.newLog = newLog;
        Member member = new Member(TEMPORAL);
        member.supervisor = temporal;
        member.last = temporal.snapshot();
        members.put(TEMPORAL, member);
        temporal.onChange(snapshot -> post(() -> changed(member, temporal, snapshot)));
    }

    // ---- requests ----------------------------------------------------------------------------

    /**
     * Applies {@code stack} (null: no stack file, services stay as they are) and wants Temporal and
     * the named services with their dependencies (none named: all). Returns at once with what
     * changed; the components then start as their dependencies allow.
     */
    CompletableFuture<List<String>> start(StackRequest stack, List<String> names) {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        CompletableFuture<List<String>> planned = call(() -> {
            refuseWhenRetired();
            List<String> changes = new ArrayList<>();
            if (stack != null) {
                changes.addAll(apply(stack, names));
            } else if (!names.isEmpty()) {
                throw new Refused("no stack file here names " + String.join(", ", names)
                        + "; run it where the stigmer.yaml is, or name it with -f", false);
            }
            Set<String> wanted = names.isEmpty() ? members.keySet() : closure(names);
            for (String name : wanted) {
                Member member = members.get(name);
                member.wanted = true;
                member.freshTry = true;
            }
            members.get(TEMPORAL).wanted = true;
            members.get(TEMPORAL).freshTry = true;
            evaluateAll(starting);
            return changes;
        });
        // Answered once the starts are taken: a status then shows them starting, not as they were.
        return planned.thenCompose(changes -> CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> changes));
    }

    /** Stops the named components (none named: every one), dependents before what they depend on. */
    CompletableFuture<Void> stop(List<String> names) {
        CompletableFuture<CompletableFuture<Void>> planned = call(() -> {
            Set<String> targets = names.isEmpty() ? new LinkedHashSet<>(members.keySet()) : checkNames(names);
            targets.forEach(name -> members.get(name).wanted = false);
            return stopInOrder(targets, false);
        });
        return planned.thenCompose(stopped -> stopped);
    }

    /** Stops everything for good (the daemon is exiting); later starts are refused. */
    CompletableFuture<Void> retire() {
        CompletableFuture<CompletableFuture<Void>> planned = call(() -> {
            retired = true;
            members.values().forEach(member -> member.wanted = false);
            List<CompletableFuture<Void>> all = new ArrayList<>(retiring.values());
            all.add(stopInOrder(new LinkedHashSet<>(members.keySet()), true));
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        });
        return planned.thenCompose(stopped -> stopped);
    }

    /**
     * Restarts the named components: stop, then start as their dependencies allow. Completes once
     * that is under way (an unknown name fails it); status shows the rest.
     */
    CompletableFuture<Void> restart(List<String> names) {
        return call(() -> {
            refuseWhenRetired();
            Set<String> targets = withRestartDependents(checkNames(names));
            // Not wanted while they stop: a dependent that stops first must not start again against the old one.
            targets.forEach(name -> members.get(name).wanted = false);
            stopInOrder(targets, false).thenRun(() -> post(() -> {
                for (String name : targets) {
                    Member member = members.get(name);
                    if (member != null) {
                        member.wanted = true;
                        member.freshTry = true;
                    }
                }
                evaluateAll();
            }));
            return null;
        });
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

    /** Why a START from {@code request}'s file cannot be served (another file's stack runs here); null if it can. */
    String anotherStack(StackRequest request) {
        if (request == null) {
            return null;
        }
        return loop.call(() -> file != null && members.size() > 1 && !file.equals(request.file())
                ? "stigmer local is already running the stack of " + file + ", not of " + request.file() : null).join();
    }

    /** Every component as status shows it: Temporal first, then the services in file order. */
    List<ComponentSnapshot> snapshots() {
        try {
            return loop.call(this::snapshotsNow).join();
        } catch (CompletionException e) {
            return List.of();
        }
    }

    /**
     * How long stopping everything may take: along the longest chain of dependents, each one's
     * grace and kill wait (they stop one after another; independent ones in parallel).
     */
    long stopBoundMillis() {
        return loop.call(() -> {
            Map<String, Long> bound = new HashMap<>();
            long longest = 0;
            for (String name : members.keySet()) {
                longest = Math.max(longest, stopBound(name, bound, new LinkedHashSet<>()));
            }
            return longest;
        }).join();
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
        boolean hasServices = members.size() > 1;
        if (file != null && hasServices && !file.equals(stack.file())) {
            throw new Refused("stigmer local is already running the stack of " + file + ", not of " + stack.file(), true);
        }
        Map<String, ServiceDefinition> desired = new LinkedHashMap<>();
        for (ServiceDefinition service : stack.services()) {
            // Names become file names (run/NAME.json, logs/NAME.log): checked here too, not only by the CLI.
            if (service.name() == null || !VALID_NAME.matcher(service.name()).matches() || RESERVED.contains(service.name())
                    || desired.put(service.name(), service) != null) {
                throw new Refused("invalid service name '" + service.name() + "'", false);
            }
        }
        for (String name : names) {
            if (!desired.containsKey(name) && !name.equals(TEMPORAL)) {
                throw new Refused("no service named '" + name + "' in " + stack.file() + "; it has: "
                        + String.join(", ", desired.keySet()), false);
            }
        }
        Set<String> touched = names.isEmpty() ? desired.keySet() : closure(names, desired);
        List<String> changes = new ArrayList<>();
        if (names.isEmpty()) {
            for (Member member : List.copyOf(members.values())) {
                if (member.definition != null && !desired.containsKey(member.name)) {
                    changes.add(member.name + ": removed, stopped");
                    remove(member);
                }
            }
        }
        if (file == null) {
            sweepLeftovers(desired.keySet());
        }
        file = stack.file();
        Map<String, Member> reordered = new LinkedHashMap<>();
        reordered.put(TEMPORAL, members.get(TEMPORAL));
        Supplier<Set<String>> markedNow = sharedScan();
        for (ServiceDefinition service : desired.values()) {
            Member member = members.get(service.name());
            if (member == null) {
                boolean earlier = Files.exists(home.componentRecord(service.name()));
                member = new Member(service.name());
                member.definition = service;
                members.put(service.name(), member);
                createWhenFree(member, stack, markedNow);
                changes.add(service.name() + (earlier ? ": found from an earlier daemon: kept if unchanged, else replaced"
                        : ": added"));
            } else if (touched.contains(service.name()) && !member.definition.specHash().equals(service.specHash())) {
                changes.add(service.name() + ": changed, replaced");
                replace(member, service, stack);
            } else if (touched.contains(service.name())) {
                member.definition = service; // the same spec; its edges may differ
            } // else: not asked for, left exactly as it is
            reordered.put(service.name(), member);
        }
        members.values().stream().filter(m -> !reordered.containsKey(m.name)).forEach(m -> reordered.put(m.name, m));
        members.clear();
        members.putAll(reordered);
        return changes;
    }

    /**
     * The first stack this daemon runs: processes of components that are neither Temporal nor in
     * the file (left by an earlier daemon, whose file has changed since) are stopped, off the loop.
     */
    private void sweepLeftovers(Set<String> services) {
        Set<String> keep = new LinkedHashSet<>(services);
        keep.add(TEMPORAL);
        keep.add("daemon");
        Thread.ofVirtual().name("stack-sweep").start(() -> {
            for (String component : Ownership.scan(home.root()).keySet()) {
                if (!keep.contains(component)) {
                    LOG.log(INFO, "{0}: left by an earlier daemon and no longer in the stack file: stopping it", component);
                    new ProcessTree(new Ownership(home.root(), component), Optional.empty()).stop(StopPolicy.DEFAULT);
                    try {
                        Files.deleteIfExists(home.componentRecord(component));
                    } catch (java.io.IOException e) {
                        LOG.log(WARNING, "cannot delete the record of " + component, e);
                    }
                }
            }
        });
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
        ComponentSpec spec = ServiceComponent.spec(member.definition, stack.environment(), temporalVariables.apply(stack), home);
        Supervisor supervisor = new Supervisor(spec, new Ownership(home.root(), member.name), home.componentRecord(member.name));
        member.supervisor = supervisor;
        member.last = supervisor.snapshot();
        supervisor.onChange(snapshot -> post(() -> changed(member, supervisor, snapshot)));
        newLog.accept(spec.log());
        if (recovery != null) {
            supervisor.recover(recovery).whenComplete((ignored, failure) -> post(() -> evaluate(member)));
        }
    }

    /** The old tree is gone before the new one starts: retire, then create from the new definition. */
    private void replace(Member member, ServiceDefinition service, StackRequest stack) {
        member.definition = service;
        member.readyDependencyPids.clear();
        LOG.log(INFO, "{0}: definition changed: replacing it", member.name);
        if (member.supervisor != null) {
            retireSupervisor(member.name, member.supervisor);
            member.supervisor = null;
        }
        createWhenFree(member, stack, null);
    }

    private void remove(Member member) {
        members.remove(member.name);
        if (member.supervisor != null) {
            LOG.log(INFO, "{0}: no longer in the stack file: stopping it", member.name);
            retireSupervisor(member.name, member.supervisor);
        }
    }

    /** Stops {@code supervisor} for good; until its tree is gone no supervisor of that name is made, and retire() waits for it. */
    private void retireSupervisor(String name, Component supervisor) {
        CompletableFuture<Void> gone = supervisor.retire().handle((ignored, failure) -> {
            supervisor.close();
            return null;
        });
        CompletableFuture<Void> earlier = retiring.get(name);
        CompletableFuture<Void> all = earlier == null ? gone : CompletableFuture.allOf(earlier, gone);
        retiring.put(name, all);
        all.whenComplete((ignored, failure) -> post(() -> retiring.remove(name, all)));
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
    }

    /** Evaluates every member; the starts it asks for go to {@code starting}. */
    private void evaluateAll(List<CompletableFuture<Void>> starting) {
        if (!retired) {
            members.values().forEach(member -> evaluate(member, starting));
        }
    }

    private void evaluate(Member member) {
        evaluate(member, new ArrayList<>());
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
        starting.add(member.supervisor.start().exceptionally(failure -> {
            LOG.log(WARNING, member.name + ": start refused: " + failure.getMessage());
            return null;
        }));
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
            ComponentSnapshot snapshot = member.supervisor != null ? member.supervisor.snapshot() : member.last;
            if (member.supervisor == null && snapshot != null) {
                snapshot = new ComponentSnapshot(snapshot.name(), snapshot.kind(), ComponentState.STOPPING, snapshot.pid(),
                        snapshot.address(), snapshot.mode(), snapshot.persistent(), snapshot.links(), snapshot.restarts(),
                        snapshot.adopted(), snapshot.startedAtMillis(), List.of(), snapshot.exitCode(), snapshot.lastExit(),
                        "being replaced: its definition changed", List.of());
            }
            snapshots.add(snapshot.inStack(List.copyOf(member.dependsOn().keySet()), member.waitingFor));
        }
        return snapshots;
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
                throw new Refused("no component named '" + name + "'; there are: " + String.join(", ", members.keySet()), false);
            }
            known.add(name);
        }
        return known;
    }

    private void refuseWhenRetired() {
        if (retired) {
            throw new Refused("stigmer local is stopping", false);
        }
    }

    private void post(Runnable event) {
        loop.post(event);
    }

    private <T> CompletableFuture<T> call(Supplier<T> work) {
        return loop.call(work);
    }

    @Override
    public void close() {
        loop.close();
        members.values().forEach(member -> {
            if (member.supervisor != null) {
                member.supervisor.close();
            }
        });
    }
}
