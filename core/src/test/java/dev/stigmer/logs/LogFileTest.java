package dev.stigmer.logs;

import dev.stigmer.process.SpawnedProcess;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFileTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    @Test
    void aMissingLogIsCreatedPrivateAndAnExistingOneKeepsItsContent() throws Exception {
        Path fresh = dir.resolve("temporal.log");
        Path existing = Files.writeString(dir.resolve("daemon.log"), "earlier run\n");

        assertThat(LogFile.prepare(fresh)).isEqualTo(fresh);
        LogFile.prepare(existing);

        assertThat(permissions(fresh)).isEqualTo("rw-------");
        assertThat(fresh).isEmptyFile();
        assertThat(existing).hasContent("earlier run");
    }

    @Test
    void aLogThatIsASymbolicLinkIsRefusedInOneLineAndItsTargetLeftAlone() throws Exception {
        Path target = Files.writeString(dir.resolve("precious.txt"), "do not touch\n");
        Path log = Files.createSymbolicLink(dir.resolve("temporal.log"), target);

        assertThatThrownBy(() -> LogFile.prepare(log)).isInstanceOf(IOException.class)
                .hasMessageContaining(log.toString()).hasMessageContaining("symbolic link")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(target).hasContent("do not touch");
    }

    @Test
    void appendCreatesAPrivateLogAddsToAnExistingOneAndRefusesALink() throws Exception {
        Path log = dir.resolve("cli.log");
        LogFile.append(log, "first\n");
        LogFile.append(log, "second\n");
        assertThat(log).hasContent("first\nsecond");
        assertThat(permissions(log)).isEqualTo("rw-------");

        Path target = Files.writeString(dir.resolve("precious.txt"), "do not touch\n");
        Path linked = Files.createSymbolicLink(dir.resolve("linked.log"), target);
        assertThatThrownBy(() -> LogFile.append(linked, "overwritten?\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        assertThat(target).hasContent("do not touch");
    }

    @Test
    void aLogThatIsNotARegularFileIsRefused() throws Exception {
        Path fifo = dir.resolve("temporal.log");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        assertThatThrownBy(() -> LogFile.prepare(fifo)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a regular file");
    }

    /** The wiring: a supervised process's output goes to a 0600 log, never through a link. */
    @Test
    void aSpawnedProcessLogsToAPrivateFileAndNeverThroughALink() throws Exception {
        Path log = dir.resolve("comp.log");
        SpawnedProcess process = SpawnedProcess.start(List.of("echo", "hello"), processes.mark(), log);
        assertThat(process.onExit().get(10, TimeUnit.SECONDS).code()).isZero();
        assertThat(log).hasContent("hello");
        assertThat(permissions(log)).isEqualTo("rw-------");

        Path target = Files.writeString(dir.resolve("precious.txt"), "do not touch\n");
        Path linked = Files.createSymbolicLink(dir.resolve("linked.log"), target);
        assertThatThrownBy(() -> SpawnedProcess.start(List.of("echo", "overwritten?"), processes.mark(), linked))
                .isInstanceOf(IOException.class).hasMessageContaining("symbolic link");
        assertThat(target).hasContent("do not touch");
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
