package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A daemon that runs nothing: its `stigmer local` was cut short before the first START (Ctrl-C
 * in the first half second). status and ui say so, and what to run.
 */
@ExtendWith(StackExtension.class)
class EmptyDaemonTest {

    @Test
    void statusAndUiOfADaemonThatRunsNothingSayToRunStigmerLocal(Stack stack) throws Exception {
        startDaemonWithoutStart(stack);

        CliResult status = stack.run("local", "status");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
        assertThat(status.stdout()).as(status.toString()).contains("nothing runs yet: `stigmer local` starts Temporal");
        CliResult json = stack.run("local", "status", "--json");
        assertThat(json.exitCode()).as(json.toString()).isEqualTo(1);

        CliResult ui = stack.run("local", "ui", "--no-open");
        assertThat(ui.exitCode()).as(ui.toString()).isEqualTo(1);
        assertThat(ui.stderr()).as(ui.toString()).contains("the dashboard starts with the first `stigmer local`")
                .doesNotContain("STIGMER_DASHBOARD_PORT");

        stack.start();
        assertThat(stack.run("local", "status").exitCode()).isZero();
    }

    /** The daemon as the CLI spawns it (own session, the home its only argument), and no START. */
    private static void startDaemonWithoutStart(Stack stack) throws Exception {
        Path log = stack.home.resolveSibling("daemon.out");
        ProcessBuilder daemon = new ProcessBuilder("setsid", Stack.JAVA.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dstigmer.dist=" + Stack.ROOT, "-cp", Stack.ROOT.resolve("build/lib/daemon") + "/*",
                "dev.stigmer.daemon.DaemonMain", stack.home.toString())
                .directory(java.nio.file.Files.createDirectories(stack.home).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        daemon.environment().keySet().removeIf(k -> k.startsWith("STIGMER_"));
        daemon.environment().putAll(stack.env);
        daemon.environment().put("STIGMER_COMPONENT", "daemon");
        daemon.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.daemonPid() > 0);
    }
}
