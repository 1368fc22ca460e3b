package dev.stigmer.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.process.ProcFs;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(StackExtension.class)
class StatusTest {

    /**
     * The race CI once lost: status asks, no daemon answers, a daemon comes up and spawns
     * Temporal, then status's /proc scan finds that Temporal. It must not be reported as an
     * unsupervised, running one: status asks again and prints what the daemon says.
     * Here a stand-in daemon drops the first request (as a daemon on its way up or out does)
     * and answers the second.
     */
    @Test
    void aTemporalFoundAfterNoDaemonAnsweredIsReportedAsItsDaemonSeesIt(Stack stack) throws Exception {
        StigmerHome home = stack.stigmerHome().ensureCreated();
        ProcessBuilder builder = new ProcessBuilder("setsid", "sleep", "300");
        builder.environment().keySet().removeIf(k -> k.startsWith("STIGMER_"));
        builder.environment().putAll(Map.of("STIGMER_HOME", stack.home.toString(), "STIGMER_COMPONENT", "temporal"));
        Process temporal = builder.start();
        try (ServerSocketChannel daemon = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ProcFs.stat(temporal.pid())
                    .map(s -> s.sid() == s.pid()).orElse(false)); // setsid has exec'd sleep
            daemon.bind(UnixDomainSocketAddress.of(home.socket()));
            String answer = Json.write(ControlResponse.ok(report(stack, temporal.pid()))) + "\n";
            Thread server = Thread.ofPlatform().start(() -> {
                try {
                    try (SocketChannel first = daemon.accept()) {
                        first.read(ByteBuffer.allocate(4096)); // ...and goes without a word
                    }
                    try (SocketChannel second = daemon.accept()) {
                        second.read(ByteBuffer.allocate(4096));
                        second.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                    }
                } catch (IOException ignored) {
                    // the assertions below say what went wrong
                }
            });

            CliResult status = stack.run("local", "status", "--json");

            JsonObject json = JsonParser.parseString(status.stdout()).getAsJsonObject();
            assertThat(json.get("daemon").isJsonNull()).as(status.toString()).isFalse();
            JsonObject component = json.getAsJsonArray("components").get(0).getAsJsonObject();
            assertThat(component.get("state").getAsString()).isEqualTo("starting");
            assertThat(component.get("pid").getAsLong()).isEqualTo(temporal.pid());
            assertThat(status.exitCode()).as("a daemon answered, Temporal is not running yet").isEqualTo(1);
            server.join(5_000);
        } finally {
            temporal.destroyForcibly().waitFor();
        }
    }

    private static StatusReport report(Stack stack, long temporalPid) {
        LocalSettings settings = new LocalSettings(stack.port, true, null, false, 60_000, 5_000, 2_000, 10_000);
        ComponentSnapshot starting = new ComponentSnapshot("temporal", ComponentState.STARTING, temporalPid,
                stack.address(), "embedded", false, Map.of(), 0, false, System.currentTimeMillis(), null, null, List.of());
        return new StatusReport(new StatusReport.DaemonInfo(ProcessHandle.current().pid(), System.currentTimeMillis(),
                "stand-in", stack.home.toString(), stack.stigmerHome().socket().toString(), settings, 1L,
                System.currentTimeMillis()), List.of(starting));
    }
}
