package dev.stigmer.temporal;

import dev.stigmer.probe.TcpProbe;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.probe.HealthProbe;
import dev.stigmer.probe.HealthProbe.ProbeResult;
import dev.stigmer.probe.ProbeSchedule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The watcher of a component that runs elsewhere, against a real listener that comes and goes. */
class ExternalWatcherTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private static ExternalWatcher watcher(HealthProbe probe, java.util.function.Supplier<String> waitingFor) {
        return new ExternalWatcher("temporal", "temporal", "external", "127.0.0.1:1",
                new ProbeSchedule(probe, Duration.ofMillis(50), Duration.ofMillis(500), 3), waitingFor,
                () -> CompletableFuture.completedFuture(null));
    }

    @Test
    void unreachableUntilItListensThenThreeFailedChecksInARowMakeItUnreachableAgain() throws Exception {
        int port;
        try (ServerSocket probeForAPort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probeForAPort.getLocalPort();
        }
        try (ExternalWatcher watcher = watcher(new TcpProbe("127.0.0.1", port), () -> null)) {
            assertThat(watcher.snapshot().state()).isEqualTo(ComponentState.STOPPED);
            watcher.start().join();
            await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.UNREACHABLE);
            assertThat(watcher.snapshot().lastError()).contains("127.0.0.1:" + port);
            assertThat(watcher.snapshot().pid()).isNull();

            try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.RUNNING);
                assertThat(watcher.snapshot().roundTripMicros()).isNotNull().isPositive();
                assertThat(watcher.snapshot().lastError()).isNull();
                assertThat(watcher.snapshot().startedAtMillis()).isNotNull();
            }
            await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.UNREACHABLE);

            watcher.stop().join();
            assertThat(watcher.snapshot().state()).isEqualTo(ComponentState.STOPPED);
        }
    }

    @Test
    void aFirstCheckThatFailsOnceIsNotUnreachableYet() {
        AtomicInteger checks = new AtomicInteger();
        HealthProbe slowOnce = timeout -> checks.incrementAndGet() == 1
                ? ProbeResult.failing("DEADLINE_EXCEEDED after 1s") : ProbeResult.serving();
        // A second apart: what the first failure made of it is seen before the next check.
        try (ExternalWatcher watcher = new ExternalWatcher("temporal", "temporal", "external", "127.0.0.1:1",
                new ProbeSchedule(slowOnce, Duration.ofSeconds(1), Duration.ofMillis(500), 3), () -> null,
                () -> CompletableFuture.completedFuture(null))) {
            watcher.start().join();
            await().atMost(PATIENCE).until(() -> checks.get() >= 1 && watcher.snapshot().lastError() != null);
            assertThat(watcher.snapshot().state()).as("one failed check of three").isEqualTo(ComponentState.STARTING);
            assertThat(watcher.snapshot().lastError()).isEqualTo("check failing (1 of 3): DEADLINE_EXCEEDED after 1s");
            await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.RUNNING);
        }
    }

    @Test
    void checksFailingBelowTheThresholdKeepItRunningAndSaySoInLastError() {
        AtomicReference<ProbeResult> answer = new AtomicReference<>(ProbeResult.serving());
        try (ExternalWatcher watcher = new ExternalWatcher("temporal", "temporal", "external", "127.0.0.1:1",
                new ProbeSchedule(timeout -> answer.get(), Duration.ofMillis(20), Duration.ofMillis(500), 1000),
                () -> null, () -> CompletableFuture.completedFuture(null))) {
            watcher.start().join();
            await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.RUNNING);

            answer.set(ProbeResult.failing("UNAVAILABLE"));
            await().atMost(PATIENCE).until(() -> String.valueOf(watcher.snapshot().lastError())
                    .matches("check failing \\([1-9][0-9]* of 1000\\): UNAVAILABLE"));
            assertThat(watcher.snapshot().state()).isEqualTo(ComponentState.RUNNING);

            answer.set(ProbeResult.serving());
            await().atMost(PATIENCE).until(() -> watcher.snapshot().lastError() == null);
            assertThat(watcher.snapshot().state()).isEqualTo(ComponentState.RUNNING);
        }
    }

    @Test
    void aCheckUnderWayWhenTheWatchChangesIsIgnored() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger checks = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean staleAnswered = new java.util.concurrent.atomic.AtomicBoolean();
        HealthProbe probe = timeout -> {
            if (checks.incrementAndGet() == 1) { // the first check: slow, and its answer is stale when it comes
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                staleAnswered.set(true);
                return ProbeResult.failing("refused the old API key");
            }
            return ProbeResult.serving();
        };
        // Checks 10 s apart: an answer counted by mistake would stay in lastError until the next one.
        try (ExternalWatcher watcher = new ExternalWatcher("temporal", "temporal", "external", "127.0.0.1:1",
                new ProbeSchedule(probe, Duration.ofSeconds(10), Duration.ofSeconds(30), 3), () -> null,
                () -> CompletableFuture.completedFuture(null))) {
            watcher.start().join();
            await().atMost(PATIENCE).until(() -> checks.get() == 1);
            watcher.refresh().join(); // a new key came: check again at once
            await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.RUNNING);
            release.countDown();
            await().atMost(PATIENCE).untilTrue(staleAnswered);
            await().alias("the old check's failure is not this watch's").during(Duration.ofSeconds(1)).atMost(PATIENCE)
                    .until(() -> watcher.snapshot().state() == ComponentState.RUNNING && watcher.snapshot().lastError() == null);
        }
    }

    @Test
    void noCheckIsMadeWithoutWhatItNeedsAndOneIsMadeOnceItComes() {
        AtomicReference<String> key = new AtomicReference<>();
        AtomicInteger checks = new AtomicInteger();
        HealthProbe probe = timeout -> {
            checks.incrementAndGet();
            return ProbeResult.serving();
        };
        try (ExternalWatcher watcher = watcher(probe, () -> key.get() == null ? "waiting for the API key" : null)) {
            watcher.start().join();
            await().atMost(PATIENCE).until(() -> "waiting for the API key".equals(watcher.snapshot().lastError()));
            assertThat(watcher.snapshot().state()).isEqualTo(ComponentState.STARTING);
            assertThat(checks.get()).isZero();

            key.set("k");
            watcher.refresh().join();
            await().atMost(PATIENCE).until(() -> watcher.snapshot().state() == ComponentState.RUNNING);
        }
    }

    @Test
    void stoppedItIsNoLongerCheckedAndRetiredItRefusesToStart() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        try (ExternalWatcher watcher = watcher(timeout -> {
            checks.incrementAndGet();
            return ProbeResult.serving();
        }, () -> null)) {
            watcher.start().join();
            await().atMost(PATIENCE).until(() -> checks.get() >= 2);
            watcher.stop().join();
            int seen = checks.get();
            // Checks were 50 ms apart: over half a second, at most the one under way may still come.
            await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(() -> checks.get() <= seen + 1);
            assertThat(watcher.stopBound()).isZero();

            watcher.retire().join();
            assertThat(watcher.start()).failsWithin(PATIENCE);
        }
    }
}
