package dev.stigmer.supervision;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class EventLoopTest {

    @Test
    void eventsRunOneAtATimeInTheOrderPosted() throws Exception {
        try (EventLoop loop = new EventLoop("order")) {
            List<Integer> seen = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                loop.post(() -> seen.add(n));
            }
            loop.call(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(seen).hasSize(100).isSorted();
        }
    }

    @Test
    void aCallIsAnsweredWithItsValueOrWithTheRefusalItThrew() throws Exception {
        try (EventLoop loop = new EventLoop("calls")) {
            assertThat(loop.call(() -> 42).get(5, TimeUnit.SECONDS)).isEqualTo(42);
            assertThatThrownBy(() -> loop.call(() -> {
                throw new EventLoop.Refused("not now");
            }).get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(EventLoop.Refused.class).hasMessageContaining("not now");
        }
    }

    @Test
    void blockingWorkOffTheLoopComesBackAsAnEventWhileTheLoopStaysFree() throws Exception {
        try (EventLoop loop = new EventLoop("work")) {
            CompletableFuture<String> result = new CompletableFuture<>();
            loop.post(() -> loop.offLoop(() -> {
                Thread.sleep(300);
                return "done";
            }, result::complete, result::completeExceptionally));
            long started = System.nanoTime();
            loop.call(() -> { }).get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(250));
            assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("done");
        }
    }

    @Test
    void onceClosedEveryCallAndEveryUnansweredFutureIsRefusedInsteadOfHanging() {
        EventLoop loop = new EventLoop("closing");
        CompletableFuture<Void> pending = loop.answerLater();
        loop.close();

        assertThat(loop.post(() -> { })).isFalse();
        assertThat((Object) loop.schedule(() -> { }, Duration.ZERO)).isNull();
        await().atMost(Duration.ofSeconds(5)).until(pending::isDone);
        assertThatThrownBy(pending::get).hasCauseInstanceOf(EventLoop.Refused.class).hasMessageContaining("closing is closed");
        assertThatThrownBy(() -> loop.call(() -> 1).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(EventLoop.Refused.class);
    }
}
