package dev.stigmer.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** `stigmer local events [--json]`: the stack's transitions as they happen, for scripts. */
@ExtendWith(StackExtension.class)
class EventsCommandTest {

    private static final String STACK = """
            services:
              api:
                command: while true; do sleep 0.2; done
              ping:
                command: "true"
                restart: "no"
            """;

    @Test
    void aKillNineIsSeenAsRunningThenRunningAgainWithANewPid(Stack stack) throws Exception {
        stack.project(STACK);
        stack.start();
        long old = stack.pid("api");
        Path log = stack.home.resolveSibling("events.err");
        Process events = stack.spawnWithPipedOutput(log, "local", "events", "--json");
        List<JsonObject> seen = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    seen.add(JsonParser.parseString(line).getAsJsonObject());
                }
            } catch (java.io.IOException ignored) {
                // closed by the test
            }
        });
        try {
            awaitSubscribed(stack, () -> !seen.isEmpty());
            new ProcessBuilder("kill", "-9", Long.toString(old)).start().waitFor();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.stream().anyMatch(e -> isApi(e)
                    && e.get("to").getAsString().equals("running") && !e.get("pid").isJsonNull()
                    && e.get("pid").getAsLong() != old));
            List<JsonObject> api = seen.stream().filter(EventsCommandTest::isApi).toList();
            assertThat(api.getFirst().get("type").getAsString()).isEqualTo("transition");
            assertThat(api.getFirst().get("from").getAsString()).isEqualTo("running");
            assertThat(api.getFirst().get("to").getAsString()).isNotEqualTo("running");
            assertThat(api.getFirst().get("reason").getAsString()).contains("signal 9");
            assertThat(api.getFirst().has("time")).isTrue();
            JsonObject back = api.getLast();
            assertThat(back.get("to").getAsString()).isEqualTo("running");
            assertThat(back.get("pid").getAsLong()).isNotEqualTo(old).isEqualTo(stack.pid("api"));
            assertThat(back.get("reason").isJsonNull()).as("running again is not caused by the kill: %s", back).isTrue();
        } finally {
            events.destroy();
            events.waitFor(10, TimeUnit.SECONDS);
            reader.join(2000);
        }
    }

    @Test
    void aRestartAskedForIsTheReasonOfItsStopInTheTextLines(Stack stack) throws Exception {
        stack.project(STACK);
        stack.start();
        long old = stack.pid("api");
        Path log = stack.home.resolveSibling("events.err");
        Process events = stack.spawnWithPipedOutput(log, "local", "events");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // closed by the test
            }
        });
        try {
            awaitSubscribed(stack, () -> !lines.isEmpty());
            assertThat(stack.run("local", "restart", "api").exitCode()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream().anyMatch(l -> l.contains(" api starting -> running ")));
            assertThat(lines).anyMatch(l -> l.endsWith(" api running -> stopping pid " + old + " (restart requested)"));
            assertThat(lines).filteredOn(l -> l.contains(" api starting -> running ")).allMatch(l -> !l.contains("("));
        } finally {
            events.destroy();
            events.waitFor(10, TimeUnit.SECONDS);
            reader.join(2000);
        }
    }

    @Test
    void itsOutputClosedEndsItAtOnceWithExit141(Stack stack) throws Exception {
        stack.project(STACK);
        stack.start();
        Path log = stack.home.resolveSibling("events.err");
        // As `stigmer local events | head -1`: the reader takes one line and goes away.
        Process events = stack.spawnWithPipedOutput(log, "local", "events");
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
            java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    first.set(in.readLine());
                } catch (java.io.IOException ignored) {
                    // closed
                }
            });
            awaitSubscribed(stack, () -> first.get() != null);
            assertThat(first.get()).contains("ping").contains("->");
            long closed = System.nanoTime();
            events.getInputStream().close();
            assertThat(events.waitFor(3, TimeUnit.SECONDS)).as("events ended once its output was closed").isTrue();
            assertThat(events.exitValue()).isEqualTo(141);
            assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(Duration.ofSeconds(3));
        } finally {
            events.destroyForcibly().waitFor();
        }
    }

    @Test
    void withoutADaemonItSaysSoAndExits3(Stack stack) {
        CliResult events = stack.run("local", "events");
        assertThat(events.exitCode()).isEqualTo(3);
        assertThat(events.stderr()).contains("not running").contains("`stigmer local`");
        assertThat(events.stderr().lines().count()).isEqualTo(1);
    }

    private static boolean isApi(JsonObject event) {
        return event.get("component").getAsString().equals("api") && event.get("type").getAsString().equals("transition");
    }

    /** Until the command has subscribed: the one-shot `ping` is run again until its events show. */
    private static void awaitSubscribed(Stack stack, java.util.function.BooleanSupplier seen) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
            assertThat(stack.run("local", "restart", "ping").exitCode()).isZero();
            long until = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < until && !seen.getAsBoolean()) {
                Thread.sleep(20);
            }
            return seen.getAsBoolean();
        });
    }
}
