package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * `stop` after the daemon was killed with kill -9 stops what it left exactly as the daemon would
 * have: each service with its own stop signal and grace, dependents before what they depend on.
 */
@ExtendWith(StackExtension.class)
class StopAfterDaemonKillTest {

    @Test
    void stopAfterKillNineOfTheDaemonHonoursEachStopSignalAndTheOrder(Stack stack) throws Exception {
        // db flushes on SIGINT (its stop_signal) and writes a marker; SIGTERM would kill it without one.
        // api depends on db: it must be stopped (SIGUSR1, its signal) before db is asked to stop.
        Path dir = stack.project("""
                services:
                  db:
                    command: trap 'date +%s%N > db.stopped; exit 0' INT; trap '' TERM; while true; do sleep 0.1; done
                    stop_signal: INT
                    stop_grace: 10s
                  api:
                    command: trap 'sleep 1; date +%s%N > api.stopped; exit 0' USR1; trap '' TERM; while true; do sleep 0.1; done
                    stop_signal: USR1
                    stop_grace: 10s
                    depends_on: [db]
                """);
        stack.start();
        long daemon = stack.daemonPid();
        long db = stack.pid("db");
        long api = stack.pid("api");
        Stack.killAndAwaitGone(daemon);
        assertThat(ProcessIdentity.of(db)).as("services outlive a killed daemon").isPresent();

        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout()).contains("Stopped");
        assertThat(dir.resolve("db.stopped")).as("db got its own stop signal (SIGINT), not SIGTERM").exists();
        assertThat(dir.resolve("api.stopped")).as("api got SIGUSR1").exists();
        long apiStopped = Long.parseLong(Files.readString(dir.resolve("api.stopped")).strip());
        long dbStopped = Long.parseLong(Files.readString(dir.resolve("db.stopped")).strip());
        assertThat(apiStopped).as("the dependent stopped before what it depends on").isLessThan(dbStopped);
        assertThat(stack.ownedProcesses()).isEmpty();
        assertThat(Stack.isFree(stack.port)).isTrue();
        assertThat(ProcessIdentity.of(api)).isEmpty();
    }

    @Test
    void whenNoDaemonCanStartStopEndsWhatTheKilledOneLeftItself(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  db:
                    command: trap 'date +%s%N > db.stopped; exit 0' INT; trap '' TERM; while true; do sleep 0.1; done
                    stop_signal: INT
                """);
        stack.start();
        long daemon = stack.daemonPid();
        long db = stack.pid("db");
        Stack.killAndAwaitGone(daemon);
        // A broken installation: the daemon's log cannot be opened, so no daemon can be started.
        Path log = stack.stigmerHome().logFile("daemon");
        Files.delete(log);
        Files.createDirectory(log);

        CliResult stop = stack.run("local", "stop");

        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout() + stop.stderr()).contains("cannot start the stigmer daemon", "stopping what the last daemon left from here instead");
        assertThat(dir.resolve("db.stopped")).as("db got its own stop signal (SIGINT)").exists();
        assertThat(ProcessIdentity.of(db)).isEmpty();
        assertThat(stack.ownedProcesses()).isEmpty();
    }

    @Test
    void theDaemonThatStopsWhatAKilledOneLeftHoldsNoneOfTheCallersSecrets(Stack stack) throws Exception {
        stack.project("""
                services:
                  slow:
                    command: trap 'sleep 2; exit 0' TERM; while true; do sleep 0.1; done
                """);
        stack.start();
        long daemon = stack.daemonPid();
        Stack.killAndAwaitGone(daemon);

        // Say an api_key_env variable: `stop` reads no stack file, so it cannot know which one it is.
        String secret = "s3cret-" + System.nanoTime();
        stack.env.put("TEMPORAL_CLOUD_KEY", secret);
        Process stop = stack.spawn(stack.stigmerHome().root().resolve("stop.out"), "local", "stop");
        java.util.Set<Long> seen = new java.util.HashSet<>();
        while (stop.isAlive()) { // the new daemon lives at least the 2 s slow takes to stop
            for (var process : stack.owned("daemon")) {
                try {
                    String environment = Files.readString(Path.of("/proc", Long.toString(process.pid()), "environ"));
                    assertThat(environment).as("the cleanup daemon's environment").doesNotContain(secret);
                    seen.add(process.pid());
                } catch (java.io.IOException gone) {
                    // exited meanwhile
                }
            }
            Thread.sleep(20);
        }
        assertThat(stop.exitValue()).isZero();
        assertThat(seen).as("a daemon was started to stop what the killed one left").isNotEmpty().doesNotContain(daemon);
        assertThat(stack.ownedProcesses()).isEmpty();
    }
}
