package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** STIGMER_HOME on a full filesystem (a small tmpfs, mounted as root): the cause in one line. */
@ExtendWith(StackExtension.class)
class FullDiskTest {

    @Test
    void aFullDiskIsNamedInOneLineAndStartingWorksOnceThereIsSpace(Stack stack) throws Exception {
        RootOnly.require("a full disk is named in one line (needs a tmpfs mount)");
        Files.createDirectories(stack.home);
        sh("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "stigmer-full-disk-test", stack.home.toString());
        try {
            stack.start();
            assertThat(stack.run("local", "stop").exitCode()).isZero();
            Path filler = stack.home.resolve("filler");
            fill(filler);

            CliResult start = stack.run("local", "start");
            assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
            assertThat(start.errorLines()).as(start.toString()).hasSize(1);
            assertThat(start.stderr()).as(start.toString()).contains("No space left on device").contains("free some space");
            assertThat(start.showsJavaInternals()).as(start.toString()).isFalse();

            Files.delete(filler);
            stack.start();
            assertThat(stack.temporalState()).isEqualTo("running");
        } finally {
            stack.run("local", "stop");
            sh("umount", "-l", stack.home.toString());
        }
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
    }

    private static void sh(String... command) throws Exception {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
