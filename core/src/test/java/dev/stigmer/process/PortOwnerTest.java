package dev.stigmer.process;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PortOwnerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    @Test
    void listenerOfNamesTheProcessListeningOnThePort() throws Exception {
        int port = TestProcesses.freePort();
        Process server = startHttpServer(port);

        Optional<ProcessIdentity> listener = PortOwner.listenerOf(port);

        assertThat(listener).map(ProcessIdentity::pid).contains(server.pid());
        assertThat(listener.get().commandLine()).contains("http.server", String.valueOf(port));
        assertThat(PortOwner.isFree(LOOPBACK, port)).isFalse();
        assertThat(PortOwner.listenerCount(port)).isEqualTo(1);
    }

    /** A service told `localhost:P` may bind [::1]: a holder there takes the port from 127.0.0.1:P too, and is named. */
    @Test
    void aHolderOnIpv6LoopbackTakesTheIpv4LoopbackPortAndIsNamed() throws Exception {
        int port = TestProcesses.freePort();
        try (ServerSocket holder = new ServerSocket()) {
            try {
                holder.bind(new InetSocketAddress(InetAddress.getByName("::1"), port));
            } catch (IOException e) {
                Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            }
            assertThat(PortOwner.isFree(new InetSocketAddress(LOOPBACK, port))).as("127.0.0.1:" + port + " while [::1] is held")
                    .isFalse();
            assertThat(PortOwner.listenerOf(port)).map(ProcessIdentity::pid).contains(ProcessHandle.current().pid());
        }
        assertThat(PortOwner.isFree(new InetSocketAddress(LOOPBACK, port))).isTrue();
    }

    /** A holder whose command line has newlines in it is described on one line. */
    @Test
    void aCommandLineWithNewlinesIsDescribedOnOneLine() {
        ProcessIdentity identity = new ProcessIdentity(42, 1, "boot", "sh -c echo a\necho b\tc");

        assertThat(identity.describe()).isEqualTo("pid 42 (sh -c echo a\\necho b\\tc)").doesNotContain("\n");
    }

    @Test
    void portIsFreeAgainOnceItsListenerIsDead() throws Exception {
        int port = TestProcesses.freePort();
        Process server = startHttpServer(port);

        server.destroyForcibly().waitFor();

        assertThat(PortOwner.isFree(LOOPBACK, port)).isTrue();
        assertThat(PortOwner.listenerOf(port)).isEmpty();
        assertThat(PortOwner.listenerCount(port)).isZero();
    }

    @Test
    void portNobodyListensOnHasNoListener() {
        int port = TestProcesses.freePort();

        assertThat(PortOwner.listenerOf(port)).isEmpty();
        assertThat(PortOwner.isFree(LOOPBACK, port)).isTrue();
    }

    /** The listener is a grandchild of the tree's root: it is still the root's. */
    @Test
    void whoListensFindsAListenerDeepInTheTree() throws Exception {
        int port = TestProcesses.freePort();
        Process root = processes.start("bash", "-c", "bash -c '\"$0\" -m http.server $1 --bind 127.0.0.1 --directory $2; true' "
                + TestProcesses.python() + " " + port + " " + dir + "; true");
        await().atMost(Duration.ofSeconds(20)).until(() -> !PortOwner.isFree(LOOPBACK, port));

        assertThat(PortOwner.whoListens(port, root.pid())).isEqualTo(PortOwner.Listener.OURS);
    }

    @Test
    void whoListensTellsAForeignListenerFromNone() {
        int port = TestProcesses.freePort();
        Process ours = processes.start("sleep", "600");
        assertThat(PortOwner.whoListens(port, ours.pid())).isEqualTo(PortOwner.Listener.NOBODY);

        startHttpServer(port);

        assertThat(PortOwner.whoListens(port, ours.pid())).isEqualTo(PortOwner.Listener.FOREIGN);
    }

    private Process startHttpServer(int port) {
        Process server = processes.start(TestProcesses.python(), "-m", "http.server", String.valueOf(port),
                "--bind", "127.0.0.1", "--directory", dir.toString());
        await("python listening on " + port).atMost(Duration.ofSeconds(20))
                .until(() -> !PortOwner.isFree(LOOPBACK, port));
        return server;
    }
}
