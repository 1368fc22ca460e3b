package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(StackExtension.class)
class ConcurrencyTest {

    @Test
    void simultaneousStartsMakeOneDaemonAndOneTemporalAndAllSucceed(Stack stack) throws Exception {
        int clients = 6;
        Path dir = Files.createTempDirectory("concurrent");
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            starts.add(stack.spawn(dir.resolve("start-" + i + ".log"), "local", "start"));
        }
        for (int i = 0; i < clients; i++) {
            Process start = starts.get(i);
            assertThat(start.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(start.exitValue()).as(Files.readString(dir.resolve("start-" + i + ".log"))).isZero();
        }
        assertThat(stack.owned("daemon")).hasSize(1);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.temporalPid()).isEqualTo(stack.owned("temporal").getFirst().pid());
    }

    @Test
    void aSecondDaemonForTheSameHomeExitsBecauseTheKernelLockIsHeld(Stack stack) throws Exception {
        stack.start();
        long temporal = stack.temporalPid();
        // Bypass the CLI entirely: only the daemon's own flock stands in the way.
        ProcessBuilder second = new ProcessBuilder(Stack.JAVA.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dstigmer.dist=" + Stack.ROOT, "-cp", Stack.ROOT.resolve("build/lib/daemon") + "/*",
                "dev.stigmer.daemon.DaemonMain", stack.home.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        second.environment().put("STIGMER_HOME", stack.home.toString());
        second.environment().put("STIGMER_COMPONENT", "daemon");
        Process process = second.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(75);
        assertThat(stack.owned("daemon")).hasSize(1);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.temporalPid()).isEqualTo(temporal);
    }
}
