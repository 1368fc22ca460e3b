package dev.stigmer.it;

import dev.stigmer.os.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ./stigmer launcher, run in a copy of the source tree whose `mvn` is a stand-in: it logs
 * each build and copies this build's jars into the directory Maven would write (optionally
 * slowly, optionally stamped with another version). So the launcher's own freshness check,
 * build switching and clean-up are what is tested, in seconds, without touching this tree.
 */
@ExtendWith(StackExtension.class)
class LauncherTest {
    private static final String FAKE_MVN = """
            #!/bin/bash
            echo "mvn $*" >> "$FAKE_MVN_LOG"
            out=$PWD/build/lib
            for a in "$@"; do case $a in -Dstigmer.lib=*) out=${a#-Dstigmer.lib=};; esac; done
            sleep "${FAKE_MVN_SECONDS:-0}"
            mkdir -p "$out"
            cp -r '%1$s/cli' '%1$s/daemon' '%1$s/embedded' "$out"/
            if [[ -n ${FAKE_MVN_VERSION:-} ]]; then
              printf 'Implementation-Version: %%s\\n' "$FAKE_MVN_VERSION" > "$out/manifest.txt"
              for jar in "$out"/cli/stigmer-cli-*.jar "$out"/daemon/stigmer-daemon-*.jar; do
                "$JAVA_HOME/bin/jar" --update --file "$jar" --manifest "$out/manifest.txt" 2>/dev/null
              done
            fi
            """;

    @Test
    void anUpToDateBuildIsRunWithoutRebuildingAndAChangedSourceIsRebuilt(Stack stack) throws Exception {
        Tree tree = new Tree(stack);
        Result first = tree.launch(Map.of(), "--version");
        assertThat(first.output).as(first.output).contains("building").contains("stigmer ");
        assertThat(tree.builds()).hasSize(1);

        Result second = tree.launch(Map.of(), "--version");
        assertThat(second.code).as(second.output).isZero();
        assertThat(second.output).startsWith("stigmer ").doesNotContain("building");
        assertThat(tree.builds()).as("no second build").hasSize(1);

        tree.touchSource();
        Result third = tree.launch(Map.of(), "--version");
        assertThat(third.output).as(third.output).contains("building");
        assertThat(tree.builds()).hasSize(2);
    }

    @Test
    void aRebuildWhileADaemonRunsLeavesItWorkingAndTheCliSaysToRestart(Stack stack) throws Exception {
        Tree tree = new Tree(stack);
        Result start = tree.launch(Map.of(), "local", "start");
        assertThat(start.code).as(start.output).isZero();
        Path daemonBuild = tree.currentBuild();

        // A rebuild (slow, and of another version) while the daemon runs; Temporal crashes meanwhile.
        tree.touchSource();
        Process rebuild = tree.start(Map.of("FAKE_MVN_SECONDS", "8", "FAKE_MVN_VERSION", "0.1.0+rebuilt"),
                "local", "status");
        await().atMost(Duration.ofSeconds(30)).until(() -> tree.builds().size() == 2);
        long temporal = stack.temporalPid();
        Linux.kill(temporal, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100)).until(() ->
                stack.temporalPid() != temporal && "running".equals(stack.temporalState()));
        assertThat(rebuild.isAlive()).as("the rebuild was still under way").isTrue();

        Result status = tree.await(rebuild);
        assertThat(status.code).as(status.output).isZero();
        assertThat(status.output).contains("0.1.0+rebuilt").contains("`stigmer local restart`");
        assertThat(stack.temporalState()).isEqualTo("running");
        assertThat(Files.isDirectory(daemonBuild)).as("the build the daemon runs from is kept").isTrue();

        Result again = tree.launch(Map.of(), "local");
        assertThat(again.code).as(again.output).isZero();
        assertThat(again.output).contains("already running").contains("`stigmer local restart`");
        Result restart = tree.launch(Map.of(), "local", "restart");
        assertThat(restart.code).as(restart.output).isZero();
        Result after = tree.launch(Map.of(), "local", "status");
        assertThat(after.code).as(after.output).isZero();
        assertThat(after.output).doesNotContain("Note:").doesNotContain("`stigmer local restart`");

        // The next build deletes builds no process names any more, and keeps the one in use.
        Path inUse = tree.currentBuild();
        tree.touchSource();
        assertThat(tree.launch(Map.of(), "--version").code).isZero();
        assertThat(Files.exists(daemonBuild)).as("unused old build deleted").isFalse();
        assertThat(Files.isDirectory(inUse)).as("the build the new daemon runs from is kept").isTrue();
    }

    @Test
    void startedFromADeletedDirectoryItRunsWithoutTheJvmsComplaint(Stack stack) throws Exception {
        Tree tree = new Tree(stack);
        assertThat(tree.launch(Map.of(), "--version").code).isZero();
        Path gone = Files.createDirectories(stack.home.resolveSibling("gone"));
        List<String> command = new ArrayList<>(tree.environment(Map.of()));
        command.addAll(List.of("bash", "-c", "cd \"$1\" && rmdir \"$1\" && exec \"$2\" --version", "sh",
                gone.toString(), tree.root.resolve("stigmer").toString()));
        Result result = Tree.run(command);
        assertThat(result.code).as(result.output).isZero();
        assertThat(result.output).contains("stigmer ").doesNotContain("Error occurred").doesNotContain("working directory");
    }

    @Test
    void theCallersJvmOptionsDoNotReachTheCli(Stack stack) throws Exception {
        Tree tree = new Tree(stack);
        assertThat(tree.launch(Map.of(), "--version").code).isZero();
        int port = new java.net.ServerSocket(0).getLocalPort();
        Result result = tree.launch(Map.of("JAVA_TOOL_OPTIONS",
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port,
                "_JAVA_OPTIONS", "-Xmx8m"), "--version");
        assertThat(result.code).as(result.output).isZero();
        assertThat(result.output).startsWith("stigmer ").doesNotContain("Picked up").doesNotContain("Listening");
    }

    @Test
    void withoutAJdk25ItSaysWhatToInstall(Stack stack) throws Exception {
        Path emptyJvmDir = Files.createDirectories(stack.home.resolveSibling("no-jvms"));
        Result result = Tree.run(List.of("/usr/bin/env", "-i", "PATH=/nonexistent:/bin", "JAVA_HOME=/nonexistent",
                "STIGMER_JVM_DIR=" + emptyJvmDir, Stack.ROOT.resolve("stigmer").toString(), "--version"));
        assertThat(result.code).isEqualTo(1);
        assertThat(result.output).contains("needs a JDK 25").contains("Install");
    }

    private record Result(int code, String output) {
    }

    /** A copy of the launcher, its scripts and the sources it checks for freshness; its own build/. */
    private static final class Tree {
        final Path root;
        final Path mvnLog;
        final Stack stack;

        Tree(Stack stack) throws IOException {
            this.stack = stack;
            root = Files.createDirectories(stack.home.resolveSibling("tree"));
            Files.copy(Stack.ROOT.resolve("stigmer"), root.resolve("stigmer"));
            Files.createDirectories(root.resolve("scripts"));
            Files.copy(Stack.ROOT.resolve("scripts/jdk.sh"), root.resolve("scripts/jdk.sh"));
            // Training the AOT caches is not what these tests are about: mark the build trained.
            StandIns.script(root.resolve("scripts"), "train-aot.sh", "mkdir -p \"$2/aot\" && touch \"$2/aot/.trained\"\n");
            Files.copy(Stack.ROOT.resolve("pom.xml"), root.resolve("pom.xml"));
            for (String module : List.of("core", "cli", "daemon", "embedded")) {
                Files.createDirectories(root.resolve(module + "/src/main"));
                Files.copy(Stack.ROOT.resolve(module + "/pom.xml"), root.resolve(module + "/pom.xml"));
                Files.writeString(root.resolve(module + "/src/main/Source.java"), "");
            }
            mvnLog = root.resolve("mvn.log");
            Path lib = Stack.ROOT.resolve("build/lib").toRealPath();
            StandIns.script(stack.home.resolveSibling("fake-bin"), "mvn", FAKE_MVN.formatted(lib).substring("#!/bin/bash\n".length()));
        }

        List<String> builds() throws IOException {
            return Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of();
        }

        Path currentBuild() throws IOException {
            return root.resolve("build/lib").toRealPath();
        }

        void touchSource() throws IOException {
            Files.setLastModifiedTime(root.resolve("cli/src/main/Source.java"), FileTime.from(Instant.now().plusSeconds(1)));
        }

        List<String> environment(Map<String, String> extra) {
            Map<String, String> env = new HashMap<>(stack.env);
            env.put("PATH", stack.home.resolveSibling("fake-bin") + ":/usr/bin:/bin");
            env.put("JAVA_HOME", Stack.JAVA.getParent().getParent().toString());
            env.put("FAKE_MVN_LOG", mvnLog.toString());
            env.put("HOME", stack.home.getParent().toString());
            env.putAll(extra);
            List<String> command = new ArrayList<>(List.of("/usr/bin/env", "-i"));
            env.forEach((k, v) -> command.add(k + "=" + v));
            return command;
        }

        Process start(Map<String, String> extra, String... args) throws IOException {
            List<String> command = environment(extra);
            command.add(root.resolve("stigmer").toString());
            command.addAll(List.of(args));
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        }

        Result launch(Map<String, String> extra, String... args) throws Exception {
            return await(start(extra, args));
        }

        Result await(Process process) throws Exception {
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new Result(process.exitValue(), output);
        }

        static Result run(List<String> command) throws Exception {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            return new Result(process.exitValue(), output);
        }
    }
}
