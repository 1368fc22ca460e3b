package dev.stigmer.daemon;

import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StackEvent;
import dev.stigmer.control.StackRequest;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.stack.DependencyCondition;
import dev.stigmer.stack.DependencyDefinition;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.Component;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.supervision.RestartPolicy;
import dev.stigmer.supervision.StackRecord;
import dev.stigmer.supervision.Supervisor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The controller with real processes (sleep) standing in for Temporal: its definition is planned
 * like a service's (keep by spec hash, replace when it changes), every transition and stack change
 * is published, stops are numbered, and restart: true followers are counted.
 */
class StackControllerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private StigmerHome home;
    private final StackEvents events = new StackEvents();
    private final List<StackEvent> seen = new CopyOnWriteArrayList<>();
    private StackController controller;

    @BeforeEach
    void setUp() throws Exception {
        home = new StigmerHome(dir.resolve("home")).ensureCreated();
        events.subscribe(seen::add);
        controller = new StackController(home, this::temporal, log -> { }, events);
    }

    @AfterEach
    void tearDown() {
        controller.retire().join();
        controller.close();
    }

    /** A stand-in Temporal: `sleep`, ready at once, made from {@code settings} (its hash, its grace). */
    private Component temporal(LocalSettings settings) {
        ComponentSpec spec = new ComponentSpec("temporal", "temporal", List.of("sleep", "600"), Map.of(), null,
                home.logFile("temporal"), List.of(), "stand-in", false, Map.of(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10), RestartMode.ALWAYS, RestartPolicy.DEFAULT,
                new StopPolicy(Duration.ofMillis(settings.stopGraceMillis()), Duration.ofSeconds(2)),
                settings.specHash(), false);
        return new Supervisor(spec, new Ownership(home.root(), "temporal"), home.componentRecord("temporal"));
    }

    private static LocalSettings settings(long healthIntervalMillis) {
        return new LocalSettings(7233, false, null, false, 60_000, healthIntervalMillis, 1_000, 2_000);
    }

    private ComponentSnapshot snapshot(String name) {
        return controller.snapshots().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private StackRequest stack(ServiceDefinition... services) {
        return new StackRequest(dir.resolve("stigmer.yaml").toString(), List.of(services), Map.of("PATH", "/usr/bin:/bin"));
    }

    private ServiceDefinition follower() {
        return new ServiceDefinition("follower", List.of("sleep", "600"), dir.toString(), Map.of(), null,
                Map.of("temporal", new DependencyDefinition(DependencyCondition.HEALTHY, true)), null, null,
                RestartMode.ALWAYS, 15, 2_000, 10_000);
    }

    @Test
    void temporalIsKeptBySpecHashAndReplacedInPlaceWhenItsDefinitionChanges() {
        StackApi.Applied first = controller.start(settings(500), null, List.of()).join();
        assertThat(first.targets()).containsExactly("temporal");
        await().atMost(PATIENCE).until(() -> snapshot("temporal").state() == ComponentState.RUNNING);
        long pid = snapshot("temporal").pid();
        assertThat(seen).anyMatch(e -> e.type().equals(StackEvent.STACK) && e.component().equals("temporal")
                && e.change().equals("added"));

        assertThat(controller.start(settings(500), null, List.of()).join().changes()).as("same definition: kept").isEmpty();
        assertThat(snapshot("temporal").pid()).isEqualTo(pid);

        StackApi.Applied changed = controller.start(settings(700), null, List.of()).join();
        assertThat(changed.changes()).containsExactly("temporal: changed, replaced");
        assertThat(controller.temporal().healthIntervalMillis()).isEqualTo(700);
        await().atMost(PATIENCE).until(() -> snapshot("temporal").state() == ComponentState.RUNNING
                && !snapshot("temporal").pid().equals(pid));
        assertThat(seen).anyMatch(e -> e.type().equals(StackEvent.STACK) && e.change().equals("replaced"));
        assertThat(seen).as("every transition, with its pid").anyMatch(e -> e.type().equals(StackEvent.TRANSITION)
                && e.component().equals("temporal") && e.to() == ComponentState.RUNNING && e.pid() != null);
    }

    @Test
    void aStopIsNumberedAndARestartTrueFollowerIsRestartedAndCounted() {
        StackApi.Applied started = controller.start(settings(500), stack(follower()), List.of()).join();
        assertThat(started.targets()).containsExactlyInAnyOrder("temporal", "follower");
        await().atMost(PATIENCE).until(() -> snapshot("follower").state() == ComponentState.RUNNING);
        long follower = snapshot("follower").pid();
        assertThat(StackRecord.read(home).members().get("follower").stopSignal()).as("its own stop signal, recorded")
                .isEqualTo(15);
        assertThat(StackRecord.read(home).members().get("follower").dependsOn()).contains("temporal");

        controller.start(settings(600), stack(follower()), List.of()).join(); // Temporal replaced, follower kept
        await().atMost(PATIENCE).until(() -> snapshot("follower").state() == ComponentState.RUNNING
                && !snapshot("follower").pid().equals(follower));
        assertThat(snapshot("follower").restarts()).as("a restart: true restart counts").isEqualTo(1);

        controller.stop(List.of("follower")).join();
        assertThat(controller.stops().get("follower")).isGreaterThan(started.sequence());
        assertThat(controller.stops().get("temporal")).isZero();
        assertThat(snapshot("follower").state()).isEqualTo(ComponentState.STOPPED);
        assertThat(seen).anyMatch(e -> e.component().equals("follower") && e.from() == ComponentState.RUNNING
                && e.to() == ComponentState.STOPPING);
    }

    // ---- events: each transition with its own reason ------------------------------------------

    private static ServiceDefinition service(String name, Map<String, DependencyDefinition> dependsOn) {
        return new ServiceDefinition(name, List.of("sleep", "600"), "/", Map.of(), null, dependsOn, null, null,
                RestartMode.ALWAYS, 15, 2_000, 10_000);
    }

    private List<StackEvent> transitionsOf(String name) {
        return seen.stream().filter(e -> e.type().equals(StackEvent.TRANSITION) && e.component().equals(name)).toList();
    }

    /** The first transition of {@code name} from {@code from} to {@code to} seen since {@code after} events. */
    private StackEvent awaitTransition(String name, ComponentState from, ComponentState to, int after) {
        return await().atMost(PATIENCE).until(() -> seen.subList(after, seen.size()).stream()
                .filter(e -> e.type().equals(StackEvent.TRANSITION) && e.component().equals(name)
                        && e.from() == from && e.to() == to).findFirst(), Optional::isPresent).orElseThrow();
    }

    @Test
    void aKillNineIsTheReasonOfTheRestartOnlyNotOfItsReturnToRunning() throws Exception {
        controller.start(settings(500), stack(service("svc", Map.of())), List.of()).join();
        await().atMost(PATIENCE).until(() -> snapshot("svc").state() == ComponentState.RUNNING);
        long old = snapshot("svc").pid();
        int before = seen.size();

        new ProcessBuilder("kill", "-9", Long.toString(old)).start().waitFor();

        StackEvent back = await().atMost(PATIENCE).until(() -> seen.subList(before, seen.size()).stream()
                .filter(e -> e.component().equals("svc") && e.to() == ComponentState.RUNNING).findFirst(),
                Optional::isPresent).orElseThrow();
        List<StackEvent> svc = seen.subList(before, seen.size()).stream().filter(e -> e.component().equals("svc")).toList();
        assertThat(svc.getFirst().from()).isEqualTo(ComponentState.RUNNING);
        assertThat(svc.getFirst().reason()).as("the crash's own transition names it").contains("killed by signal 9");
        assertThat(back.pid()).isNotEqualTo(old);
        assertThat(back.reason()).as("running again is not caused by the kill").isNull();
    }

    @Test
    void aRestartAndAStopAskedForSaySoAndNotAnEarlierExit() throws Exception {
        controller.start(settings(500), stack(service("svc", Map.of())), List.of()).join();
        await().atMost(PATIENCE).until(() -> snapshot("svc").state() == ComponentState.RUNNING);
        new ProcessBuilder("kill", "-9", Long.toString(snapshot("svc").pid())).start().waitFor(); // an exit to remember
        await().atMost(PATIENCE).until(() -> snapshot("svc").state() == ComponentState.RUNNING && snapshot("svc").restarts() == 1);

        int before = seen.size();
        controller.restart(null, null, List.of("svc")).join();
        assertThat(awaitTransition("svc", ComponentState.RUNNING, ComponentState.STOPPING, before).reason())
                .isEqualTo("restart requested");
        assertThat(awaitTransition("svc", ComponentState.STOPPING, ComponentState.STOPPED, before).reason())
                .isEqualTo("restart requested");
        assertThat(awaitTransition("svc", ComponentState.STOPPED, ComponentState.STARTING, before).reason()).isNull();
        await().atMost(PATIENCE).until(() -> snapshot("svc").state() == ComponentState.RUNNING);

        before = seen.size();
        controller.stop(List.of("svc")).join();
        assertThat(awaitTransition("svc", ComponentState.RUNNING, ComponentState.STOPPING, before).reason())
                .isEqualTo("stop requested");
    }

    @Test
    void aRemovedServiceIsSeenStoppingAndStopped() {
        controller.start(settings(500), stack(service("kept", Map.of()), service("taken", Map.of())), List.of()).join();
        await().atMost(PATIENCE).until(() -> snapshot("taken").state() == ComponentState.RUNNING);
        int before = seen.size();

        controller.start(settings(500), stack(service("kept", Map.of())), List.of()).join();

        assertThat(awaitTransition("taken", ComponentState.RUNNING, ComponentState.STOPPING, before).reason())
                .isEqualTo("removed from the stack file");
        awaitTransition("taken", ComponentState.STOPPING, ComponentState.STOPPED, before);
        assertThat(seen).anyMatch(e -> e.type().equals(StackEvent.STACK) && e.component().equals("taken")
                && e.change().equals("removed"));
    }

    @Test
    void aWaitingServiceGoesStraightToStartingNotThroughStopped() {
        ServiceDefinition api = service("api", Map.of("db", new DependencyDefinition(DependencyCondition.HEALTHY, false)));
        controller.start(settings(500), stack(service("db", Map.of()), api), List.of()).join();
        await().atMost(PATIENCE).until(() -> snapshot("api").state() == ComponentState.RUNNING);

        List<StackEvent> events = transitionsOf("api");
        assertThat(events).extracting(StackEvent::to).contains(ComponentState.WAITING).doesNotContain(ComponentState.STOPPED);
        List<ComponentState> states = events.stream().map(StackEvent::to).toList();
        StackEvent afterWaiting = events.get(states.lastIndexOf(ComponentState.WAITING) + 1);
        assertThat(afterWaiting.from()).isEqualTo(ComponentState.WAITING);
        assertThat(afterWaiting.to()).isEqualTo(ComponentState.STARTING);
        assertThat(afterWaiting.pid()).isNotNull();
    }

    @Test
    void aWatchedServiceReplacedByAChangeNamesTheFileNotItsDefinition() throws Exception {
        Path src = java.nio.file.Files.createDirectories(dir.resolve("src"));
        var watch = new dev.stigmer.stack.WatchDefinition(dir.toString(), List.of(src.toString()), List.of(""), List.of(),
                null, 100);
        ServiceDefinition web = new ServiceDefinition("web", List.of("sleep", "600"), dir.toString(), Map.of(), null,
                Map.of(), null, null, RestartMode.ALWAYS, 15, 2_000, 10_000, watch);
        controller.start(settings(500), stack(web), List.of()).join();
        await().atMost(PATIENCE).until(() -> snapshot("web").state() == ComponentState.RUNNING);
        int before = seen.size();

        java.nio.file.Files.writeString(src.resolve("x.py"), "print('changed')\n");

        assertThat(awaitTransition("web", ComponentState.RUNNING, ComponentState.STOPPING, before).reason())
                .isEqualTo("being replaced: files changed (src/x.py)");
    }
}
