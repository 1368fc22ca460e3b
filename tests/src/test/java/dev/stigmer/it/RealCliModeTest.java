package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real `temporal server start-dev` path, with a stand-in binary that serves the embedded Temporal. */
@ExtendWith(StackExtension.class)
class RealCliModeTest {

    @Test
    void startDevGetsLoopbackPortUiPortAndTheDatabaseUnderHome(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        Path bin = StandIns.serving(stack.home.resolveSibling("bin"), record);
        CliResult start = stack.start("--temporal-bin", bin.toString());
        int ui = stack.port + 1000;
        assertThat(start.stdout()).contains("Temporal is running at " + stack.address() + " (cli")
                .contains("Web UI: http://127.0.0.1:" + ui).doesNotContain("keeps nothing");
        List<String> calls = Files.readAllLines(record);
        assertThat(calls).containsExactly("server start-dev --ip 127.0.0.1 --port " + stack.port + " --ui-port " + ui
                + " --db-filename " + stack.home.resolve("temporal-data/temporal.db"));
        assertThat(stack.temporal().get("mode").getAsString()).isEqualTo("cli");
        assertThat(Workflows.runGreeting(stack.address(), "cli")).isEqualTo("HELLO CLI");
    }

    @Test
    void temporalOnPathIsPreferredToTheEmbeddedOne(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        Path dir = stack.home.resolveSibling("path-bin");
        StandIns.serving(dir, record);
        stack.env.put("PATH", dir + ":/usr/bin:/bin");
        stack.start();
        assertThat(stack.temporal().get("mode").getAsString()).isEqualTo("cli");
        assertThat(Files.readString(record)).contains("server start-dev");
    }

    @Test
    void temporalUnderHomeBinIsUsedWhenNoneIsOnPath(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        StandIns.serving(stack.home.resolve("bin"), record);
        stack.start();
        assertThat(stack.temporal().get("mode").getAsString()).isEqualTo("cli");
    }

    @Test
    void environmentNamesTheBinaryWhenNoFlagDoes(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        Path bin = StandIns.serving(stack.home.resolveSibling("env-bin"), record);
        CliResult start = stack.run(Map.of("STIGMER_TEMPORAL_BIN", bin.toString()), "local", "start");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(stack.temporal().get("mode").getAsString()).isEqualTo("cli");
    }

    /**
     * What stigmer owes persistence: the restarted real CLI is handed the same database file
     * (keeping workflows across it is then the real server's job; the stand-in here keeps nothing,
     * so a workflow surviving the restart is not what this can show), and it serves again.
     */
    @Test
    void aRestartHandsTheRealCliTheSameDatabaseAndItServesAgain(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        Path bin = StandIns.serving(stack.home.resolveSibling("bin"), record);
        stack.start("--temporal-bin", bin.toString());
        assertThat(Workflows.runGreeting(stack.address(), "before")).isEqualTo("HELLO BEFORE");
        CliResult restart = stack.run("local", "restart", "--temporal-bin", bin.toString());
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(Workflows.runGreeting(stack.address(), "after")).isEqualTo("HELLO AFTER");
        String database = "--db-filename " + stack.home.resolve("temporal-data/temporal.db");
        assertThat(Files.readAllLines(record)).as("one call before the restart, one after, both with the database")
                .hasSize(2).allSatisfy(call -> assertThat(call).endsWith(database));
    }

    /** The real CLI also listens on port + 1000 (its web UI): a foreign listener there fails the start at once. */
    @Test
    void aForeignListenerOnTheUiPortFailsTheStartAtOnceNamingIt(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        Path bin = StandIns.serving(stack.home.resolveSibling("bin"), record);
        int ui = stack.port + 1000;
        Process foreign = ForeignPortTest.httpServer(ui, "127.0.0.1");
        try {
            CliResult start = stack.run("local", "start", "--temporal-bin", bin.toString());

            assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
            assertThat(start.errorLines().getFirst()).as(start.toString())
                    .contains("port " + ui + " is in use by pid " + foreign.pid()).contains("http.server");
            assertThat(start.showsJavaInternals()).isFalse();
            assertThat(start.millis()).as("fails at once, not after a crash loop").isLessThan(15_000);
            assertThat(record).as("Temporal was never started").doesNotExist();
            assertThat(foreign.isAlive()).isTrue();
        } finally {
            foreign.destroy();
            foreign.waitFor();
        }
    }
}
