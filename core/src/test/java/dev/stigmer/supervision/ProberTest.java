package dev.stigmer.supervision;

import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.probe.HealthProbe;
import dev.stigmer.probe.HealthProbe.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProberTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private final EventLoop loop = new EventLoop("prober-test");

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void failuresAreCountedInARowAgainstTheThresholdAndASuccessStartsThemOver() {
        AtomicBoolean healthy = new AtomicBoolean(false);
        Prober prober = new Prober(loop, schedule(timeout -> healthy.get() ? ProbeResult.serving() : ProbeResult.failing("down"), 3));
        List<Prober.Result> results = new CopyOnWriteArrayList<>();
        loop.post(() -> prober.start(prober.probe(), Duration.ZERO, results::add));

        await().atMost(PATIENCE).until(() -> results.size() >= 3);
        List<Prober.Result> first = List.copyOf(results).subList(0, 3);
        assertThat(first).extracting(Prober.Result::failuresInARow).containsExactly(1, 2, 3);
        assertThat(first.get(1).thresholdReached()).isFalse();
        assertThat(first.get(1).failing("health check")).isEqualTo("health check failing (2 of 3): down");
        assertThat(first.get(2).thresholdReached()).isTrue();

        healthy.set(true);
        await().atMost(PATIENCE).until(() -> results.getLast().healthy());
        assertThat(results.getLast().failuresInARow()).isZero();
    }

    @Test
    void anAnswerOfAStoppedRoundIsDroppedAndNoFurtherCheckIsMade() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        AtomicBoolean answered = new AtomicBoolean();
        Prober prober = new Prober(loop, schedule(timeout -> {
            checks.incrementAndGet();
            sleep(300); // still under way when the round is stopped
            answered.set(true);
            return ProbeResult.serving();
        }, 3));
        List<Prober.Result> results = new CopyOnWriteArrayList<>();
        loop.post(() -> prober.start(prober.probe(), Duration.ZERO, results::add));
        await().atMost(PATIENCE).until(() -> checks.get() == 1);

        loop.call(prober::stop).get();

        await().atMost(PATIENCE).untilTrue(answered);
        await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(() -> results.isEmpty() && checks.get() == 1);
    }

    @Test
    void checksNeverOverlapAndAThrowingCheckIsAFailure() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Prober prober = new Prober(loop, new ProbeSchedule(timeout -> ProbeResult.serving(), Duration.ofMillis(1),
                Duration.ofSeconds(1), 3));
        List<Prober.Result> results = new CopyOnWriteArrayList<>();
        loop.post(() -> prober.start(timeout -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            sleep(20);
            running.decrementAndGet();
            throw new IllegalStateException("broken check");
        }, Duration.ZERO, results::add));

        await().atMost(PATIENCE).until(() -> results.size() >= 5);
        assertThat(mostAtOnce.get()).isOne();
        assertThat(results.getFirst().healthy()).isFalse();
        assertThat(results.getFirst().detail()).contains("broken check");
    }

    private static ProbeSchedule schedule(HealthProbe probe, int failures) {
        return new ProbeSchedule(probe, Duration.ofMillis(10), Duration.ofSeconds(1), failures);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
