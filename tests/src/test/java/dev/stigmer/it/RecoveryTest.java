package dev.stigmer.it;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a new daemon does with what an earlier one left, while it keeps answering. */
@ExtendWith(StackExtension.class)
class RecoveryTest {

    /**
     * A leftover of ours that cannot be adopted and ignores SIGTERM: the recovery stops it, which
     * takes the whole grace period. The daemon listens meanwhile and status answers.
     */
    @Test
    void statusAnswersWhileRecoveryStopsALeftoverThatIgnoresSigterm(Stack stack) throws Exception {
        stack.env.put("STIGMER_STOP_GRACE", "10s");
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "trap '' TERM; exec sleep 600")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("STIGMER_"));
        builder.environment().put("STIGMER_HOME", stack.home.toString());
        builder.environment().put("STIGMER_COMPONENT", "temporal");
        Process leftover = builder.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> stack.owned("temporal").size() == 1
                    && Files.readString(Path.of("/proc/" + leftover.pid() + "/cmdline")).startsWith("sleep"));
            Path log = stack.home.resolveSibling("start.log");
            long begin = System.nanoTime();
            Process start = stack.spawn(log, "local", "start");

            JsonObject answered = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    // A daemon answers before the start's request reaches it: wait for Temporal in it.
                    .until(stack::status, s -> !s.get("daemon").isJsonNull() && !s.getAsJsonArray("components").isEmpty());
            long answeredAfterMillis = (System.nanoTime() - begin) / 1_000_000;
            boolean leftoverAlive = leftover.isAlive();

            assertThat(leftoverAlive).as("status answered (after " + answeredAfterMillis
                    + " ms) while the recovery was still stopping the leftover").isTrue();
            assertThat(answered.getAsJsonArray("components").get(0).getAsJsonObject().get("state").getAsString())
                    .isEqualTo("recovering");
            assertThat(start.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(start.exitValue()).as(Files.readString(log)).isZero();
            assertThat(leftover.isAlive()).isFalse();
            assertThat(stack.temporalState()).isEqualTo("running");
        } finally {
            leftover.destroyForcibly();
        }
    }
}
