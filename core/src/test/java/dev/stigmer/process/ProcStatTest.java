package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcStatTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    /** comm (field 2) is the executable's name: it may hold spaces and parentheses. */
    @Test
    void readsTheFieldsOfAProcessWhoseNameHoldsSpacesAndParentheses() throws Exception {
        Path oddSleep = dir.resolve("s) l (e");
        Files.copy(Path.of("/bin/sleep"), oddSleep, StandardCopyOption.COPY_ATTRIBUTES);
        Process process = processes.start(oddSleep.toString(), "600");

        ProcStat stat = await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcFs.stat(process.pid()).orElseThrow(),
                        s -> ProcFs.commandLine(process.pid()).orElse("").startsWith(oddSleep.toString()));

        assertThat(stat.pid()).isEqualTo(process.pid());
        assertThat(stat.ppid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(stat.sid()).isEqualTo(TestProcesses.sessionId(process.pid()));
        assertThat(stat.startTicks()).isEqualTo(TestProcesses.startTicks(process.pid()));
        assertThat(stat.state()).isIn('S', 'R');
        assertThat(stat.isAlive()).isTrue();
    }

    @Test
    void stoppedProcessIsAliveAndZombieIsNot() throws Exception {
        long child = processes.startUnreapedChild();

        Linux.kill(child, Linux.SIGSTOP);
        ProcStat stopped = await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcFs.stat(child).orElseThrow(), s -> s.state() == 'T');
        assertThat(stopped.isAlive()).isTrue();

        Linux.kill(child, Linux.SIGKILL);
        ProcStat zombie = await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcFs.stat(child).orElseThrow(), s -> s.state() == 'Z');
        assertThat(zombie.isAlive()).isFalse();
    }
}
