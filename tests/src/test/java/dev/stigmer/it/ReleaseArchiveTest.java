package dev.stigmer.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The release archive as a user gets it (./package; see {@link Release}): unpacked or installed
 * with its install.sh, run where there is no JDK, no Maven and no source tree. Temporal serves
 * (a real SDK worker and client from this JVM run a workflow), a stack's service runs, status,
 * logs and stop work; a second version installed while the first one's daemon runs switches the
 * link, and that daemon keeps serving until `restart`; --uninstall leaves the stigmer home alone.
 */
@ExtendWith(StackExtension.class)
class ReleaseArchiveTest {

    @AfterAll
    static void deleteTheArchivesPackagedHere() throws IOException {
        Release.deletePackaged();
    }

    @Test
    void theUnpackedArchiveRunsWithoutAJdkMavenOrTheSources(Stack stack) throws Exception {
        RootOnly.require("the archive runs with the JDK, Maven and the sources hidden (unshare --mount)");
        Release release = Release.unpacked(stack.home.resolveSibling("unpacked"));
        Path stigmer = release.dir.resolve("bin/stigmer");
        Map<String, String> env = Release.sandboxEnvironment(stack);

        CliResult noJdk = Release.run(Release.sandboxed(List.of("sh", "-c",
                "java -version; mvn -v; ls " + Stack.ROOT + "/pom.xml")), env, null);
        assertThat(noJdk.stderr()).as("the sandbox hides them").contains("java: not found")
                .contains("mvn: not found").contains("No such file");

        // The caller's JAVA_HOME and JVM options play no part (each of these would break a JVM).
        Map<String, String> hostile = new HashMap<>(env);
        hostile.putAll(Map.of("JAVA_HOME", "/nonexistent", "JAVA_TOOL_OPTIONS", "-Xmx1k",
                "_JAVA_OPTIONS", "-Xmx1k", "JDK_JAVA_OPTIONS", "--no-such-option"));
        CliResult version = Release.run(Release.sandboxed(List.of(stigmer.toString(), "--version")), hostile, null);
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.stdout().strip()).as(version.toString())
                .matches("stigmer " + java.util.regex.Pattern.quote(release.version)
                        + " \\(commit [0-9a-f]{7}(-dirty)?, Java 25\\.[0-9.]+ bundled\\)");
        assertThat(version.stderr()).isEmpty();

        CliResult start = run(release, stack, null, "local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(start.stdout()).contains("Temporal is running at " + stack.address());
        assertThat(Workflows.runGreeting(stack.address(), "archive")).isEqualTo("HELLO ARCHIVE");

        // Every JVM runs the bundled runtime, and the AOT caches trained on it are the ones mapped.
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        Path runtime = release.dir.resolve("runtime").toRealPath();
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + daemon + "/exe"))).startsWith(runtime);
        assertThat(Files.readSymbolicLink(Path.of("/proc/" + temporal + "/exe"))).startsWith(runtime);
        assertThat(Files.readString(Path.of("/proc/" + temporal + "/maps")))
                .as("Temporal maps its AOT cache").contains(release.dir.toRealPath() + "/lib/aot/embedded.aot");
        assertThat(Files.readString(Path.of("/proc/" + daemon + "/maps")))
                .as("the daemon maps its AOT cache").contains(release.dir.toRealPath() + "/lib/aot/daemon.aot");
        // A CLI that stays (logs -f) shows what every CLI maps: unshare, sh and the launcher exec into its JVM.
        ProcessBuilder followBuilder = new ProcessBuilder(Release.sandboxed(List.of(stigmer.toString(), "local", "logs", "-f", "temporal")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        followBuilder.environment().clear();
        followBuilder.environment().putAll(env);
        Process follow = followBuilder.start();
        try {
            Path maps = Path.of("/proc/" + follow.pid() + "/maps");
            String cliCache = release.dir.toRealPath() + "/lib/aot/cli.aot";
            await().atMost(Duration.ofSeconds(30)).until(() -> !follow.isAlive() || Files.readString(maps).contains(cliCache));
            assertThat(follow.isAlive()).as("logs -f still runs").isTrue();
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
        }

        // A stack file with a service.
        Path project = stack.project("""
                services:
                  greeter:
                    command: [sh, -c, "echo greeter says hello; exec sleep 600"]
                    ready: {log: "greeter says hello"}
                """);
        CliResult withStack = run(release, stack, project, "local");
        assertThat(withStack.exitCode()).as(withStack.toString()).isZero();
        assertThat(withStack.stdout()).contains("greeter is running");
        CliResult status = run(release, stack, project, "local", "status", "--json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonObject json = JsonParser.parseString(status.stdout()).getAsJsonObject();
        assertThat(json.getAsJsonArray("components").toString()).contains("\"greeter\"").contains("\"running\"");
        CliResult table = run(release, stack, project, "local", "status");
        assertThat(table.exitCode()).as(table.toString()).isZero();
        assertThat(table.stdout()).contains("greeter").contains("running");
        CliResult logs = run(release, stack, project, "local", "logs", "greeter");
        assertThat(logs.exitCode()).as(logs.toString()).isZero();
        assertThat(logs.stdout()).contains("greeter says hello");

        CliResult stop = run(release, stack, project, "local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.ownedProcesses().isEmpty());
        assertThat(Stack.isFree(stack.port)).as("Temporal's port is free again").isTrue();
    }

    @Test
    void aSecondVersionInstalledWhileTheFirstRunsSwitchesTheLinkAndTheFirstServesUntilRestart(Stack stack) throws Exception {
        RootOnly.require("installed releases run with the JDK, Maven and the sources hidden (unshare --mount)");
        Release first = Release.unpacked(stack.home.resolveSibling("first"));
        Release second = Release.unpackedVersion(first.version + "-next", stack.home.resolveSibling("second"));
        Path prefix = stack.home.resolveSibling("prefix");
        Path stigmer = prefix.resolve("bin/stigmer");
        Path lib = prefix.resolve("lib/stigmer");

        CliResult install = install(first, stack, "--prefix", prefix.toString());
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.stdout()).as("PATH hint").contains("export PATH=\"" + prefix.toRealPath().resolve("bin") + ":$PATH\"");
        assertThat(Files.readSymbolicLink(stigmer)).isEqualTo(lib.toRealPath().resolve(first.version + "/bin/stigmer"));
        assertThat(prefix.resolve("share/bash-completion/completions/stigmer")).exists();
        assertThat(prefix.resolve("share/zsh/site-functions/_stigmer")).exists();
        CliResult version = run(stigmer, stack, null, "--version");
        assertThat(version.stdout()).startsWith("stigmer " + first.version + " (commit");

        assertThat(run(stigmer, stack, null, "local").exitCode()).isZero();
        long firstDaemon = stack.daemonPid();
        assertThat(cmdline(firstDaemon)).contains(lib.toRealPath().resolve(first.version) + "/");
        assertThat(Workflows.runGreeting(stack.address(), "first")).isEqualTo("HELLO FIRST");

        CliResult upgrade = install(second, stack, "--prefix", prefix.toString());
        assertThat(upgrade.exitCode()).as(upgrade.toString()).isZero();
        assertThat(Files.readSymbolicLink(stigmer)).isEqualTo(lib.toRealPath().resolve(second.version + "/bin/stigmer"));
        assertThat(lib.resolve(first.version)).as("kept while its daemon runs").isDirectory();
        assertThat(run(stigmer, stack, null, "--version").stdout()).startsWith("stigmer " + second.version + " (commit");

        // The first version's daemon and Temporal keep serving; the new CLI says whose they are.
        assertThat(stack.daemonPid()).isEqualTo(firstDaemon);
        assertThat(Workflows.runGreeting(stack.address(), "still")).isEqualTo("HELLO STILL");
        CliResult again = run(stigmer, stack, null, "local");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("the daemon is stigmer " + first.version + "'s, this is stigmer "
                + second.version + ": run `stigmer local restart`");
        assertThat(again.stdout().lines().filter(l -> l.contains("stigmer local restart")).count()).isEqualTo(1);

        CliResult restart = run(stigmer, stack, null, "local", "restart");
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        long secondDaemon = stack.daemonPid();
        assertThat(secondDaemon).isNotEqualTo(firstDaemon);
        assertThat(cmdline(secondDaemon)).contains(lib.toRealPath().resolve(second.version) + "/");
        assertThat(Workflows.runGreeting(stack.address(), "second")).isEqualTo("HELLO SECOND");
        assertThat(run(stigmer, stack, null, "local").stdout()).doesNotContain("stigmer local restart");

        // Nothing runs from the first version any more: the next install removes it.
        CliResult reinstall = install(second, stack, "--prefix", prefix.toString());
        assertThat(reinstall.exitCode()).as(reinstall.toString()).isZero();
        assertThat(lib.resolve(first.version)).doesNotExist();

        // --uninstall refuses while a daemon runs from the prefix, then removes what install put there.
        Files.writeString(stack.home.resolve("keep-me"), "the user's");
        CliResult refused = uninstall(second, stack, prefix);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stderr()).contains("stigmer local stop");
        assertThat(run(stigmer, stack, null, "local", "stop").exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.ownedProcesses().isEmpty());
        CliResult uninstall = uninstall(second, stack, prefix);
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(stigmer).doesNotExist();
        assertThat(prefix.resolve("lib/stigmer")).doesNotExist();
        assertThat(prefix.resolve("share")).as("the completions' directories, empty now").doesNotExist();
        assertThat(stack.home.resolve("keep-me")).hasContent("the user's");
        assertThat(stack.home.resolve("logs")).isDirectory();
    }

    @Test
    void withoutAPrefixItInstallsIntoTheHomesLocalDirectory(Stack stack) throws Exception {
        Release release = Release.unpacked(stack.home.resolveSibling("unpacked"));
        Path home = stack.home.getParent();
        Map<String, String> env = Release.sandboxEnvironment(stack);
        env.put("PATH", home.resolve(".local/bin") + ":/usr/bin:/bin");
        CliResult install = Release.run(List.of("sh", release.dir.resolve("install.sh").toString()), env, null);
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.stdout()).contains("Run: stigmer local").doesNotContain("export PATH");
        CliResult version = Release.run(List.of("sh", "-c", "exec stigmer --version"), env, null); // found on PATH
        assertThat(version.stdout()).as(version.toString()).startsWith("stigmer " + release.version);
        CliResult uninstall = Release.run(List.of("sh", release.dir.resolve("install.sh").toString(), "--uninstall"), env, null);
        assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
        assertThat(home.resolve(".local/bin/stigmer")).doesNotExist();
        assertThat(home.resolve(".local/lib/stigmer")).doesNotExist();
    }

    @Test
    void bashCompletesTheLocalSubcommandsFromTheShippedScript(Stack stack) throws Exception {
        Release release = Release.unpacked(stack.home.resolveSibling("unpacked"));
        Path script = release.dir.resolve("share/bash-completion/completions/stigmer");
        CliResult printed = Release.run(List.of(release.dir.resolve("bin/stigmer").toString(), "completion", "bash"),
                Release.sandboxEnvironment(stack), null);
        assertThat(printed.stdout()).as("`stigmer completion bash` prints the shipped script").isEqualTo(Files.readString(script));

        // The function bash itself would call on Tab, found the way bash finds it (complete -p).
        CliResult completed = Release.run(List.of("bash", "-c", """
                source "$1"
                function=$(complete -p stigmer | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
                COMP_LINE='stigmer local st'; COMP_POINT=${#COMP_LINE}
                COMP_WORDS=(stigmer local st); COMP_CWORD=2
                "$function" 2>/dev/null
                printf '%s\\n' "${COMPREPLY[@]}"
                """, "bash", script.toString()), Map.of("PATH", "/usr/bin:/bin"), null);
        assertThat(completed.stdout().lines().sorted().toList()).as(completed.toString())
                .containsExactly("start", "status", "stop");
    }

    @Test
    void zshCompletesTheLocalSubcommandsFromTheShippedFunction(Stack stack) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")), "zsh is not installed here (.ci/run installs it)");
        Release release = Release.unpacked(stack.home.resolveSibling("unpacked"));
        Path home = Files.createDirectories(stack.home.resolveSibling("zsh-home"));
        // A real interactive zsh in a pseudo-terminal, _stigmer found through fpath, Tab typed.
        CliResult completed = Release.run(List.of("zsh", "-f", "-c", """
                zmodload zsh/zpty
                zpty z env TERM=dumb HOME="$HOME" FUNCTIONS="$1" zsh -f -i
                zpty -w z 'PS1="> "; fpath=($FUNCTIONS $fpath); autoload -U compinit; compinit -u; print READY'
                zpty -r z out '*READY*'
                zpty -w -n z $'stigmer local st\t'
                all=
                for i in {1..150}; do
                  zpty -r -t z chunk && all+=$chunk
                  [[ $all == *stop* ]] && break
                  sleep 0.1
                done
                zpty -d z
                print -r -- "$all"
                """, "zsh", release.dir.resolve("share/zsh/site-functions").toString()),
                Map.of("PATH", "/usr/bin:/bin", "HOME", home.toString()), null);
        assertThat(completed.stdout()).as(completed.toString()).contains("start").contains("status").contains("stop")
                .doesNotContain("not found");
    }

    private static CliResult install(Release release, Stack stack, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", release.dir.resolve("install.sh").toString()));
        command.addAll(List.of(args));
        return Release.run(command, Release.sandboxEnvironment(stack), null);
    }

    private static CliResult uninstall(Release release, Stack stack, Path prefix) throws Exception {
        return install(release, stack, "--uninstall", "--prefix", prefix.toString());
    }

    /** The unpacked release's bin/stigmer ARGS, sandboxed, in {@code cwd}. */
    private static CliResult run(Release release, Stack stack, Path cwd, String... args) throws Exception {
        return run(release.dir.resolve("bin/stigmer"), stack, cwd, args);
    }

    private static CliResult run(Path stigmer, Stack stack, Path cwd, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(stigmer.toString()));
        command.addAll(List.of(args));
        return Release.run(Release.sandboxed(command), Release.sandboxEnvironment(stack), cwd);
    }

    private static String cmdline(long pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
    }
}
