package dev.stigmer.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The ./stigmer launcher: finds a JDK 25, does not rebuild an up-to-date build, explains a missing JDK. */
class LauncherTest {
    private static final Path LAUNCHER = Stack.ROOT.resolve("stigmer");

    @Test
    void anUpToDateBuildIsRunWithoutRebuilding() throws Exception {
        Path stamp = Stack.ROOT.resolve("build/.built");
        boolean existed = Files.exists(stamp);
        Path aot = Stack.ROOT.resolve("build/aot/.trained");
        boolean trained = Files.exists(aot);
        Files.writeString(stamp, ""); // this verify run just built build/lib
        Files.createDirectories(aot.getParent());
        if (!trained) {
            Files.writeString(aot, ""); // no training either: this test is about the build check
        }
        try {
            Result result = launch(new String[]{"PATH=/usr/bin:/bin"}, "--version");
            assertThat(result.code).as(result.output).isZero();
            assertThat(result.output).startsWith("stigmer ").doesNotContain("building");
        } finally {
            // Leave the launcher to build and train for real next time, as ./test intends.
            if (!existed) {
                Files.deleteIfExists(stamp);
            }
            if (!trained) {
                Files.deleteIfExists(aot);
            }
        }
    }

    @Test
    void withoutAJdk25ItSaysWhatToInstall() throws Exception {
        Path emptyJvmDir = Files.createTempDirectory("no-jvms");
        Result result = launch(new String[]{"PATH=/nonexistent:/bin", "JAVA_HOME=/nonexistent",
                "STIGMER_JVM_DIR=" + emptyJvmDir}, "--version");
        assertThat(result.code).isEqualTo(1);
        assertThat(result.output).contains("needs a JDK 25").contains("Install");
    }

    private record Result(int code, String output) {
    }

    private static Result launch(String[] env, String... args) throws Exception {
        var command = new java.util.ArrayList<>(java.util.List.of("/usr/bin/env", "-i"));
        command.addAll(java.util.List.of(env));
        command.add(LAUNCHER.toString());
        command.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
