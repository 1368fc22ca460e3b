package dev.stigmer.it;

import com.google.gson.JsonElement;
import dev.stigmer.os.Linux;
import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a stop leaves of a service whose processes escape its session and its environment mark:
 * nothing where a cgroup can be made (each run has one), and a note in status where not.
 */
@ExtendWith(StackExtension.class)
class ContainmentTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String ESCAPING = """
            services:
              escaping:
                command: env -i setsid /bin/sh -c 'echo $$$$ > escapee.pid; exec sleep 1002' & exec sleep 600
            """;

    @Test
    void anEscapeeThatDroppedSessionAndEnvironmentIsGoneAfterStop(Stack stack) throws Exception {
        Path dir = stack.project(ESCAPING);
        stack.start();
        long escapee = awaitPid(dir.resolve("escapee.pid"));
        assertThat(degraded(stack)).noneMatch(note -> note.contains("no cgroups"));

        assertThat(stack.run("local", "stop").exitCode()).isZero();

        await().atMost(PATIENCE).until(() -> ProcessIdentity.of(escapee).isEmpty());
    }

    @Test
    void anEscapeeLeftByAKilledDaemonIsGoneAfterStop(Stack stack) throws Exception {
        Path dir = stack.project(ESCAPING);
        stack.start();
        long escapee = awaitPid(dir.resolve("escapee.pid"));
        killDaemon(stack);

        assertThat(stack.run("local", "stop").exitCode()).isZero();

        assertThat(ProcessIdentity.of(escapee)).as("the escapee, once stop returned").isEmpty();
        assertThat(componentCgroup(stack, "escaping")).doesNotExist();
    }

    @Test
    void anEscapeeOfAServiceRemovedWhileNoDaemonRanIsGoneAfterTheNextStart(Stack stack) throws Exception {
        Path dir = stack.project(ESCAPING);
        stack.start();
        long escapee = awaitPid(dir.resolve("escapee.pid"));
        killDaemon(stack);
        stack.project("""
                services:
                  plain:
                    command: exec sleep 600
                """);

        stack.start();

        await().atMost(PATIENCE).until(() -> ProcessIdentity.of(escapee).isEmpty());
        await().atMost(PATIENCE).until(() -> !Files.exists(componentCgroup(stack, "escaping")));
        assertThat(stack.state("plain")).isEqualTo("running");
    }

    private static void killDaemon(Stack stack) throws Exception {
        Stack.killAndAwaitGone(stack.daemonPid());
    }

    private static Path componentCgroup(Stack stack, String component) {
        return CgroupRoot.of(stack.stigmerHome().root()).base().resolve(component);
    }

    @Test
    void withoutCgroupsStatusSaysDegradedAndServicesStillRunAndStop(Stack stack) throws Exception {
        stack.env.put(CgroupRoot.OFF_VARIABLE, "1");
        stack.project("""
                services:
                  plain:
                    command: exec sleep 600
                """);
        stack.start();
        assertThat(degraded(stack)).anySatisfy(note -> assertThat(note).contains("no cgroups", CgroupRoot.OFF_VARIABLE));
        CliResult status = stack.run("local", "status");
        assertThat(status.stdout()).contains("degraded: no cgroups");
        long plain = stack.pid("plain");

        assertThat(stack.run("local", "stop").exitCode()).isZero();

        await().atMost(PATIENCE).until(() -> ProcessIdentity.of(plain).isEmpty());
    }

    private static List<String> degraded(Stack stack) {
        JsonElement notes = stack.status().getAsJsonObject("daemon").get("degraded");
        return notes == null || notes.isJsonNull() ? List.of()
                : notes.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList();
    }

    private static long awaitPid(Path file) {
        return await().atMost(PATIENCE).until(() -> Files.exists(file) ? Files.readString(file).strip() : "",
                s -> !s.isEmpty()).transform(Long::parseLong);
    }
}
