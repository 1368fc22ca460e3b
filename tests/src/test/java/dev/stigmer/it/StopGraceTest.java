package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The grace period a daemon was started with rules its stop, whatever the stopping shell says. */
@ExtendWith(StackExtension.class)
class StopGraceTest {

    @Test
    void stopUsesTheDaemonsGraceNotTheStoppingShells(Stack stack) throws Exception {
        Path clean = stack.home.resolveSibling("clean-exit.txt");
        // A Temporal that needs 2 s to shut down cleanly after SIGTERM, well within the daemon's 8 s.
        Path temporal = StandIns.script(stack.home.resolveSibling("bin"), "temporal", """
                shift 2; port=7233
                while [[ $# -gt 0 ]]; do case $1 in --port) port=$2; shift 2;; *) shift 2;; esac; done
                %s --ip 127.0.0.1 --port $port &
                server=$!
                trap 'sleep 2; echo clean >> "%s"; kill -9 $server; exit 0' TERM
                while kill -0 $server 2>/dev/null; do wait $server; done
                """.formatted(StandIns.SERVE, clean));
        stack.env.put("STIGMER_STOP_GRACE", "8s");
        stack.start("--temporal-bin", temporal.toString());
        long daemon = stack.daemonPid();
        // With the daemon gone, stop's own sweep stops Temporal: with the daemon's grace too.
        Stack.killAndAwaitGone(daemon);

        CliResult stop = stack.run(Map.of("STIGMER_STOP_GRACE", "200ms"), "local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stack.ownedProcesses()).isEmpty();
        assertThat(Files.exists(clean) ? Files.readString(clean) : "")
                .as("Temporal finished its own shutdown instead of being killed after the shell's 200 ms")
                .contains("clean");
    }
}
