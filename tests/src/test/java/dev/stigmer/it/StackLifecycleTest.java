package dev.stigmer.it;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local stack end to end: real services (shells, python HTTP servers) beside the real
 * embedded Temporal, declared in a stigmer.yaml and run by the built CLI and daemon.
 */
@ExtendWith(StackExtension.class)
class StackLifecycleTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static long readNanos(Path file) throws Exception {
        return Long.parseLong(Files.readString(file).strip());
    }

    private static List<String> dependsOn(JsonObject component) {
        return component.getAsJsonArray("dependsOn").asList().stream().map(JsonElement::getAsString).toList();
    }

    @Test
    void servicesStartInDependencyOrderAndIndependentOnesInParallel(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  slow:
                    command: sleep 1; date +%s%N > slow.ready; exec sleep 600
                    ready: {exec: test -f slow.ready, interval: 100ms}
                  after:
                    command: date +%s%N > after.started; exec sleep 600
                    depends_on: [slow]
                  beside:
                    command: date +%s%N > beside.started; exec sleep 600
                """);
        CliResult start = stack.start();
        assertThat(start.stdout()).contains("slow: added").contains("after: added").contains("beside: added")
                .contains("after is running (pid ").contains("Temporal is running at " + stack.address());
        assertThat(readNanos(dir.resolve("after.started"))).as("a dependent starts after its dependency is ready")
                .isGreaterThanOrEqualTo(readNanos(dir.resolve("slow.ready")));
        assertThat(readNanos(dir.resolve("beside.started"))).as("an independent service does not wait")
                .isLessThan(readNanos(dir.resolve("slow.ready")));
        JsonObject after = stack.component("after");
        assertThat(after.get("kind").getAsString()).isEqualTo("service");
        assertThat(dependsOn(after)).containsExactly("slow");
        assertThat(stack.component("temporal").get("kind").getAsString()).isEqualTo("temporal");
        assertThat(stack.run("local", "status").exitCode()).isZero();
    }

    @Test
    void aOneShotGatesItsDependentCompletesAndIsNotRunAgainByAReRun(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  migrate:
                    command: echo migrated >> runs.txt; sleep 0.5
                    restart: "no"
                  api:
                    command: test -f runs.txt && exec sleep 600
                    depends_on:
                      migrate: {condition: completed}
                  early:
                    command: exec sleep 600
                    depends_on:
                      api: {condition: started}
                """);
        stack.start();
        JsonObject migrate = stack.component("migrate");
        assertThat(migrate.get("state").getAsString()).isEqualTo("completed");
        assertThat(migrate.get("exitCode").getAsInt()).isZero();
        long api = stack.pid("api");
        assertThat(stack.state("early")).isEqualTo("running");

        CliResult again = stack.start();
        assertThat(again.stdout()).doesNotContain("added").doesNotContain("replaced");
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).as("a completed one-shot is not run again").hasSize(1);
        assertThat(stack.pid("api")).isEqualTo(api);
    }

    @Test
    void aFailedDependencyLeavesItsDependentWaitingAndStartNamesIt(Stack stack) throws Exception {
        stack.project("""
                services:
                  broken:
                    command: echo cannot reach the database; exit 3
                    restart: "no"
                  api:
                    command: exec sleep 600
                    depends_on:
                      broken: {condition: completed}
                  fine:
                    command: exec sleep 600
                """);
        CliResult start = stack.run("local");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.stderr()).contains("broken exited").contains("cannot reach the database")
                .contains("The rest keeps running");
        assertThat(start.showsJavaInternals()).isFalse();
        await().atMost(PATIENCE).until(() -> stack.state("api").equals("waiting"));
        assertThat(stack.component("api").get("lastError").getAsString())
                .contains("waiting for broken (completed)").contains("broken exited");
        assertThat(stack.state("fine")).isEqualTo("running");
        assertThat(stack.component("broken").get("exitCode").getAsInt()).isEqualTo(3);
        assertThat(stack.run("local", "status").exitCode()).isEqualTo(1);
    }

    @Test
    void everyProbeKindGatesReadiness(Stack stack) throws Exception {
        int web = Stack.freePort();
        int grpc = Stack.freePort();
        stack.project("""
                services:
                  web:
                    command: [python3, -m, http.server, "%d", --bind, 127.0.0.1]
                    port: %d
                    ready: {http: "http://127.0.0.1:%d/", interval: 100ms}
                    health: {tcp: %d, interval: 500ms}
                  grpc:
                    command: ["%s", -XX:+UseSerialGC, -XX:TieredStopAtLevel=1, --enable-native-access=ALL-UNNAMED,
                              --sun-misc-unsafe-memory-access=allow, -cp, "%s/*", dev.stigmer.embedded.EmbeddedTemporal,
                              --port, "%d"]
                    port: %d
                    ready: {grpc: "127.0.0.1:%d", grpc_service: temporal.api.workflowservice.v1.WorkflowService}
                  logger:
                    command: sleep 0.5; echo Worker started; exec sleep 600
                    ready: {log: "^Worker started$"}
                  checked:
                    command: sleep 0.3; touch checked.ok; exec sleep 600
                    ready: {exec: test -f checked.ok}
                  last:
                    command: exec sleep 600
                    depends_on: [web, grpc, logger, checked]
                """.formatted(web, web, web, web, Stack.JAVA, Stack.ROOT.resolve("build/lib/embedded"), grpc, grpc, grpc));
        CliResult start = stack.start();
        for (String name : List.of("web", "grpc", "logger", "checked", "last")) {
            assertThat(stack.state(name)).as(name).isEqualTo("running");
        }
        assertThat(start.stdout()).contains("web is running (pid ").contains(", 127.0.0.1:" + web + ")");
    }

    @Test
    void aServiceThatFailsItsHealthCheckIsReplaced(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  flaky:
                    command: rm -f sick; exec sleep 600
                    health: {exec: test ! -f sick, interval: 200ms, timeout: 1s, failures: 2}
                """);
        stack.start();
        long before = stack.pid("flaky");
        Files.writeString(dir.resolve("sick"), "");
        await().atMost(PATIENCE).until(() -> stack.pid("flaky") != before && stack.state("flaky").equals("running"));
        assertThat(stack.component("flaky").get("restarts").getAsInt()).isEqualTo(1);
        assertThat(ProcessIdentity.of(before).map(ProcessIdentity::isAlive).orElse(false)).isFalse();
    }

    @Test
    void killNineOfAServiceIsHealedAndOnlyItsRestartTrueDependentFollows(Stack stack) throws Exception {
        stack.project("""
                services:
                  api:
                    command: exec sleep 600
                  follower:
                    command: exec sleep 600
                    depends_on:
                      api: {condition: healthy, restart: true}
                  bystander:
                    command: exec sleep 600
                    depends_on: [api]
                """);
        stack.start();
        long api = stack.pid("api");
        long follower = stack.pid("follower");
        long bystander = stack.pid("bystander");
        Linux.kill(api, Linux.SIGKILL);
        await().atMost(PATIENCE).until(() -> stack.pid("api") > 0 && stack.pid("api") != api);
        await().atMost(PATIENCE).until(() -> stack.pid("follower") > 0 && stack.pid("follower") != follower
                && stack.state("follower").equals("running"));
        assertThat(stack.pid("bystander")).as("without restart: true a dependent is left alone").isEqualTo(bystander);
        assertThat(stack.component("api").get("restarts").getAsInt()).isEqualTo(1);
    }

    @Test
    void aReRunReconcilesOnlyWhatChanged(Stack stack) throws Exception {
        String base = """
                services:
                  a:
                    command: exec sleep 600
                  b:
                    command: exec sleep 600
                    env: {LEVEL: info}
                  c:
                    command: exec sleep 600
                """;
        Path dir = stack.project(base);
        stack.start();
        Map<String, Long> pids = pids(stack, "a", "b", "c");

        CliResult same = stack.start();
        assertThat(same.stdout()).doesNotContain("added").doesNotContain("replaced").doesNotContain("removed");
        assertThat(pids(stack, "a", "b", "c")).isEqualTo(pids);

        Files.writeString(dir.resolve("stigmer.yaml"), base.replace("LEVEL: info", "LEVEL: debug")
                .replace("  c:\n    command: exec sleep 600\n", "  d:\n    command: exec sleep 600\n"));
        CliResult changed = stack.start();
        assertThat(changed.stdout()).contains("b: changed, replaced").contains("c: removed, stopped").contains("d: added")
                .doesNotContain("a: ");
        assertThat(stack.pid("a")).isEqualTo(pids.get("a"));
        assertThat(stack.pid("b")).isNotEqualTo(pids.get("b")).isPositive();
        assertThat(ProcessIdentity.of(pids.get("b")).map(ProcessIdentity::isAlive).orElse(false))
                .as("the old tree is gone").isFalse();
        await().atMost(PATIENCE).until(() -> !ProcessIdentity.of(pids.get("c")).map(ProcessIdentity::isAlive).orElse(false));
        assertThat(stack.status().getAsJsonArray("components").asList().stream()
                .map(c -> c.getAsJsonObject().get("name").getAsString())).containsExactly("temporal", "a", "b", "d");
        assertThat(stack.owned("c")).isEmpty();
        assertThat(Files.readString(Path.of("/proc/" + stack.pid("b") + "/environ"))).contains("LEVEL=debug");
    }

    @Test
    void afterKillNineOfTheDaemonAReRunAdoptsEveryUnchangedService(Stack stack) throws Exception {
        String base = """
                services:
                  a:
                    command: exec sleep 600
                  b:
                    command: exec sleep 600
                    env: {V: "1"}
                """;
        Path dir = stack.project(base);
        stack.start();
        long a = stack.pid("a");
        long b = stack.pid("b");
        long temporal = stack.temporalPid();
        long daemon = stack.daemonPid();
        Stack.killAndAwaitGone(daemon);
        Files.writeString(dir.resolve("stigmer.yaml"), base.replace("V: \"1\"", "V: \"2\""));

        CliResult start = stack.start();
        assertThat(start.exitCode()).isZero();
        assertThat(stack.pid("a")).as("unchanged: adopted").isEqualTo(a);
        assertThat(stack.component("a").get("adopted").getAsBoolean()).isTrue();
        assertThat(stack.temporalPid()).isEqualTo(temporal);
        assertThat(stack.pid("b")).as("changed while no daemon watched: replaced").isNotEqualTo(b).isPositive();
        assertThat(stack.owned("b")).hasSize(1);
    }

    @Test
    void stopWithNamesStopsDependentsFirstAndLeavesTheRestRunning(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  db:
                    command: trap 'date +%s%N > db.stopped; exit 0' TERM; while true; do sleep 0.05; done
                  api:
                    command: trap 'sleep 0.3; date +%s%N > api.stopped; exit 0' TERM; while true; do sleep 0.05; done
                    depends_on: [db]
                  other:
                    command: exec sleep 600
                """);
        stack.start();
        long other = stack.pid("other");
        CliResult stop = stack.run("local", "stop", "db", "api");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout()).contains("Stopped db, api");
        assertThat(readNanos(dir.resolve("api.stopped"))).as("the dependent stopped first")
                .isLessThan(readNanos(dir.resolve("db.stopped")));
        assertThat(stack.state("db")).isEqualTo("stopped");
        assertThat(stack.state("api")).isEqualTo("stopped");
        assertThat(stack.pid("other")).isEqualTo(other);
        assertThat(stack.owned("db")).isEmpty();
        assertThat(stack.run("local", "status").exitCode()).as("stopped components: not all running").isEqualTo(1);

        CliResult restart = stack.run("local", "start", "api");
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(stack.state("db")).as("started as api's dependency").isEqualTo("running");
    }

    @Test
    void bareLocalWithNamesStartsThoseWithTheirDependenciesAndAnUnknownNameStartsNothing(Stack stack) throws Exception {
        stack.project("""
                services:
                  db:
                    command: exec sleep 600
                  api:
                    command: exec sleep 600
                    depends_on: [db]
                  other:
                    command: exec sleep 600
                """);
        CliResult typo = stack.run("local", "stauts");
        assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(2);
        assertThat(typo.errorLines()).singleElement().asString().contains("did you mean `stigmer local status`");
        CliResult named = stack.run("local", "start", "stauts");
        assertThat(named.exitCode()).as(named.toString()).isEqualTo(2);
        assertThat(named.errorLines()).as("after `start`, a name can only be a service").singleElement().asString()
                .contains("no service named 'stauts'").doesNotContain("did you mean");
        CliResult unknown = stack.run("local", "nope");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
        assertThat(unknown.errorLines()).singleElement().asString()
                .contains("no service named 'nope'").contains("it has: db, api, other");
        assertThat(stack.owned("daemon")).as("a bad name starts nothing").isEmpty();

        CliResult start = stack.run("local", "api");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(stack.state("api")).isEqualTo("running");
        assertThat(stack.state("db")).as("api's dependency").isEqualTo("running");
        assertThat(stack.owned("other")).as("not asked for").isEmpty();
    }

    @Test
    void restartWithNamesRestartsOnlyThose(Stack stack) throws Exception {
        stack.project("services:\n  a:\n    command: exec sleep 600\n  b:\n    command: exec sleep 600\n");
        stack.start();
        long a = stack.pid("a");
        long b = stack.pid("b");
        CliResult restart = stack.run("local", "restart", "a");
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(restart.stdout()).contains("a is running (pid ");
        assertThat(stack.pid("a")).isNotEqualTo(a).isPositive();
        assertThat(stack.pid("b")).isEqualTo(b);
        CliResult unknown = stack.run("local", "restart", "nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("no component named 'nope'");
        assertThat(unknown.stdout()).as("nothing announced for a name that is refused").doesNotContain("nope");
        CliResult stopUnknown = stack.run("local", "stop", "nosuch");
        assertThat(stopUnknown.exitCode()).isEqualTo(2);
        assertThat(stopUnknown.stderr()).contains("no component named 'nosuch'");
        assertThat(stopUnknown.stdout()).as("no \"Stopping nosuch\" before the refusal").doesNotContain("nosuch");
        assertThat(stack.pid("b")).isEqualTo(b);
    }

    @Test
    void aStartThatWaitsSaysOnWhatOnceAfterAFewSeconds(Stack stack) throws Exception {
        stack.project("""
                services:
                  base:
                    command: exec sleep 600
                    ready: {exec: test -f go, interval: 100ms}
                  top:
                    command: exec sleep 600
                    depends_on:
                      base: {condition: healthy}
                """);
        Path output = stack.home.resolveSibling("start.out");
        Process start = stack.spawn(output, "local");
        await().atMost(PATIENCE).until(() -> Files.readString(output).contains("waiting for"));
        Files.writeString(stack.cwd.resolve("go"), "");
        assertThat(start.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(start.exitValue()).as(Files.readString(output)).isZero();
        String printed = Files.readString(output);
        assertThat(printed.lines().filter(line -> line.contains("waiting for")).count()).as(printed).isEqualTo(1);
        // What it waited on at that moment, each with its state or its wait ("top (waiting for base (healthy))").
        assertThat(printed.lines().filter(line -> line.contains("waiting for")).findFirst().orElseThrow())
                .contains("base (").contains("top (");
    }

    @Test
    void servicesGetTemporalsClientVariablesTheCallersEnvironmentAndTheirOwn(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  dump:
                    command: env > dump.env; exec sleep 600
                    env: {FOO: bar}
                  own:
                    command: env > own.env; exec sleep 600
                    env: {TEMPORAL_NAMESPACE: orders, STIGMER_COMPONENT: hijack}
                """);
        CliResult start = stack.run(Map.of("CALLER_VARIABLE", "from-the-shell"), "local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        String dump = Files.readString(dir.resolve("dump.env"));
        assertThat(dump).contains("TEMPORAL_ADDRESS=127.0.0.1:" + stack.port + "\n").contains("TEMPORAL_NAMESPACE=default\n")
                .contains("FOO=bar\n").contains("CALLER_VARIABLE=from-the-shell\n").contains("STIGMER_COMPONENT=dump\n")
                .contains("STIGMER_HOME=" + stack.stigmerHome().root() + "\n");
        String own = Files.readString(dir.resolve("own.env"));
        assertThat(own).contains("TEMPORAL_NAMESPACE=orders\n").as("the marks are ours").contains("STIGMER_COMPONENT=own\n");


        // Replaced by a later call without the variable: the new process has the environment of
        // that call, nothing of the call that first spawned the daemon.
        Files.writeString(dir.resolve("stigmer.yaml"), Files.readString(dir.resolve("stigmer.yaml")).replace("FOO: bar", "FOO: baz"));
        CliResult rerun = stack.run("local");
        assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
        assertThat(rerun.stdout()).contains("dump: changed");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readString(dir.resolve("dump.env"))).contains("FOO=baz\n"));
        assertThat(Files.readString(dir.resolve("dump.env"))).doesNotContain("CALLER_VARIABLE");
    }

    @Test
    void aCommandThatDoesNotExistFailsAtOnceAndDisturbsNothingElse(Stack stack) throws Exception {
        stack.project("""
                services:
                  typo:
                    command: [no-such-program-here, --serve]
                  good:
                    command: exec sleep 600
                """);
        CliResult start = stack.run("local");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.stderr()).contains("typo failed: cannot run no-such-program-here --serve: command not found");
        assertThat(start.millis()).as("at once, not after a crash loop").isLessThan(20_000);
        await().atMost(PATIENCE).until(() -> stack.state("good").equals("running"));
        assertThat(stack.component("typo").get("restarts").getAsInt()).isZero();
    }

    @Test
    void logsOfSeveralComponentsArePrefixedAndOneIsPlain(Stack stack) throws Exception {
        stack.project("""
                services:
                  one:
                    command: echo hello from one; exec sleep 600
                    ready: {log: hello}
                  two:
                    command: echo hello from two; exec sleep 600
                    ready: {log: hello}
                """);
        stack.start();
        CliResult both = stack.run("local", "logs", "one", "two");
        assertThat(both.stdout()).contains("one | hello from one").contains("two | hello from two");
        CliResult all = stack.run("local", "logs");
        assertThat(all.stdout()).contains("temporal | Embedded Temporal").contains("one      | hello from one");
        CliResult single = stack.run("local", "logs", "two");
        assertThat(single.stdout()).startsWith("hello from two");
    }

    @Test
    void aBadFileChangesNothingAndSaysWhereInOneLine(Stack stack) throws Exception {
        Path dir = stack.project("services:\n  a:\n    command: exec sleep 600\n");
        stack.start();
        long a = stack.pid("a");
        Files.writeString(dir.resolve("stigmer.yaml"), "services:\n  a:\n    command: exec sleep 600\n    prot: 80\n");
        CliResult bad = stack.run("local");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.errorLines()).containsExactly("stigmer: " + dir.resolve("stigmer.yaml")
                + ":4:5: unknown key 'prot' in service a; did you mean 'port'?");
        assertThat(stack.pid("a")).isEqualTo(a);
    }

    @Test
    void aStackFromAnotherFileIsRefusedNamingIt(Stack stack) throws Exception {
        Path dir = stack.project("services:\n  a:\n    command: exec sleep 600\n");
        stack.start();
        Path other = Files.createDirectories(dir.resolveSibling("other"));
        // Its own temporal: section differs too: that is no reason to replace the running project's Temporal.
        Files.writeString(other.resolve("stigmer.yaml"),
                "temporal: {namespaces: [other]}\nservices:\n  b:\n    command: exec sleep 600\n");
        long temporal = stack.temporalPid();
        stack.cwd = other;
        CliResult start = stack.run("local");
        assertThat(start.exitCode()).isEqualTo(1);
        assertThat(start.stderr()).contains("already running the stack of " + dir.resolve("stigmer.yaml"))
                .contains("restart").contains("STIGMER_HOME");
        assertThat(stack.owned("b")).isEmpty();
        assertThat(stack.temporalPid()).as("the running stack is untouched").isEqualTo(temporal);
        assertThat(stack.state("a")).isEqualTo("running");
    }

    @Test
    void aServiceThatDiesAtOnceWithoutAProbeFailsTheRerunThatAddsIt(Stack stack) throws Exception {
        Path dir = stack.project("services:\n  good:\n    command: exec sleep 600\n");
        stack.start();
        Files.writeString(dir.resolve("stigmer.yaml"), "services:\n  good:\n    command: exec sleep 600\n"
                + "  crashy:\n    command: \"echo 'Traceback: boom'; exit 1\"\n");
        CliResult rerun = stack.run("local");
        assertThat(rerun.exitCode()).as("not reported running at its spawn: " + rerun).isEqualTo(1);
        assertThat(rerun.stderr()).contains("crashy failed").contains("Traceback: boom");
        assertThat(stack.state("good")).isEqualTo("running");
    }

    @Test
    void restartOfADependencyAndItsDependentStartsThemInOrderAndTakesRestartTrueDependentsAlong(Stack stack)
            throws Exception {
        Path dir = stack.project("""
                services:
                  migrate:
                    command: date +%s%N >> migrate.runs
                    restart: "no"
                  db:
                    command: date +%s%N >> db.starts; exec sleep 600
                    depends_on:
                      migrate: {condition: completed, restart: true}
                  api:
                    command: date +%s%N >> api.starts; exec sleep 600
                    depends_on: [db]
                """);
        stack.start();
        long api = stack.pid("api");
        CliResult both = stack.run("local", "restart", "api", "db");
        assertThat(both.exitCode()).as(both.toString()).isZero();
        List<String> db = Files.readAllLines(dir.resolve("db.starts"));
        List<String> apiStarts = Files.readAllLines(dir.resolve("api.starts"));
        assertThat(apiStarts).hasSize(2);
        assertThat(Long.parseLong(apiStarts.getLast())).as("api starts again after the new db, not against the old one")
                .isGreaterThanOrEqualTo(Long.parseLong(db.getLast()));
        assertThat(stack.pid("api")).isNotEqualTo(api);

        long dbPid = stack.pid("db");
        CliResult oneShot = stack.run("local", "restart", "migrate");
        assertThat(oneShot.exitCode()).as(oneShot.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("migrate.runs"))).hasSize(2);
        await().atMost(PATIENCE).until(() -> stack.pid("db") != dbPid && stack.state("db").equals("running"));
    }

    @Test
    void aSecondChangeWhileTheFirstReplacementStillStopsEndsWithTheLatestDefinition(Stack stack) throws Exception {
        String service = "services:\n  slow:\n    command: trap '' TERM; env > slow.env; exec sleep 600\n"
                + "    stop_grace: 2s\n    env: {V: \"%s\"}\n";
        Path dir = stack.project(service.formatted("1"));
        stack.start();
        Files.writeString(dir.resolve("stigmer.yaml"), service.formatted("2"));
        Process first = stack.spawn(dir.resolve("first.out"), "local");
        await().atMost(PATIENCE).until(() -> stack.state("slow").equals("stopping"));
        Files.writeString(dir.resolve("stigmer.yaml"), service.formatted("3"));
        CliResult second = stack.run("local");
        assertThat(first.waitFor()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        await().atMost(PATIENCE).until(() -> stack.state("slow").equals("running")
                && Files.readString(dir.resolve("slow.env")).contains("V=3\n"));
        assertThat(stack.owned("slow")).as("one process, of the latest definition").hasSize(1);
        assertThat(stack.log("daemon")).doesNotContain("event failed");
    }

    @Test
    void anAdoptedServiceWhoseReadyLineRotatedAwayIsNotReplaced(Stack stack) throws Exception {
        stack.project("""
                services:
                  chatty:
                    command: echo 'Worker started'; head -c 12000000 /dev/zero | tr '\\0' x | fold -w 100; exec sleep 600
                    ready: {log: "Worker started"}
                """);
        stack.start();
        long pid = stack.pid("chatty");
        Path rotated = stack.stigmerHome().logFile("chatty").resolveSibling("chatty.log.1");
        await().atMost(PATIENCE).until(() -> Files.exists(rotated));
        long daemon = stack.daemonPid();
        Stack.killAndAwaitGone(daemon);
        stack.start();
        // Watched past the window a readiness check of the adopted process would have had (5 s).
        await().alias("adopted and kept, running").during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(20))
                .until(() -> stack.pid("chatty") == pid && stack.state("chatty").equals("running"));
    }

    @Test
    void aChangeOfTheFilesTemporalSectionReplacesTemporalAndTheStackWithIt(Stack stack) throws Exception {
        int first = Stack.freePort();
        int second = Stack.freePort();
        stack.env.remove("STIGMER_TEMPORAL_PORT"); // the file says where Temporal listens
        Path dir = stack.project("temporal: {port: %d}\nservices:\n  a:\n    command: env > a.env; exec sleep 600\n"
                .formatted(first));
        stack.start();
        assertThat(Files.readString(dir.resolve("a.env"))).contains("TEMPORAL_ADDRESS=127.0.0.1:" + first + "\n");
        long temporal = stack.temporalPid();

        Files.writeString(dir.resolve("stigmer.yaml"), "temporal: {port: %d}\nservices:\n  a:\n    command: env > a.env; exec sleep 600\n"
                .formatted(second));
        CliResult start = stack.start();
        assertThat(start.stdout()).contains("temporal: changed in " + dir.resolve("stigmer.yaml") + ", replaced")
                .contains("Temporal is running at 127.0.0.1:" + second);
        assertThat(stack.temporalPid()).isNotEqualTo(temporal);
        assertThat(stack.state("a")).isEqualTo("running");
        assertThat(Files.readString(dir.resolve("a.env"))).contains("TEMPORAL_ADDRESS=127.0.0.1:" + second + "\n");
        assertThat(Stack.isFree(first)).isTrue();
    }

    private static Map<String, Long> pids(Stack stack, String... names) {
        Map<String, Long> pids = new HashMap<>();
        for (String name : names) {
            pids.put(name, stack.pid(name));
        }
        return pids;
    }
}
