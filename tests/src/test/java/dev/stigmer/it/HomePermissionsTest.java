package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The home's mode is the user's; what stigmer creates in it is private to the user (the build
 * runs with umask 022, so a directory or file made by the umask would be readable by others).
 */
@ExtendWith(StackExtension.class)
class HomePermissionsTest {

    @Test
    void logsAndTheirDirectoryAreCreatedPrivate(Stack stack) throws IOException {
        stack.start();

        assertThat(mode(stack.home)).as("a home we create").isEqualTo("rwx------");
        assertThat(mode(stack.home.resolve("run"))).isEqualTo("rwx------");
        assertThat(mode(stack.home.resolve("logs"))).isEqualTo("rwx------");
        assertThat(mode(stack.home.resolve("logs/daemon.log"))).isEqualTo("rw-------");
        assertThat(mode(stack.home.resolve("logs/temporal.log"))).isEqualTo("rw-------");
    }

    @Test
    void anExistingHomeOthersCanWriteToKeepsItsModeAndStartWarnsInOneLine(Stack stack) throws IOException {
        Files.createDirectories(stack.home);
        Files.setPosixFilePermissions(stack.home, PosixFilePermissions.fromString("rwxrwxrwx"));

        CliResult start = stack.start();

        assertThat(mode(stack.home)).as("not ours to change").isEqualTo("rwxrwxrwx");
        assertThat(start.errorLines()).as(start.toString()).singleElement().asString()
                .startsWith("stigmer: warning: ").contains(stack.home.toString()).contains("chmod go-w");
    }

    @Test
    void aDaemonLogThatIsASymbolicLinkStopsTheStartWithOneClearLine(Stack stack) throws Exception {
        stack.stigmerHome().ensureCreated();
        Path precious = Files.writeString(stack.home.resolveSibling("precious.txt"), "do not touch\n");
        Path log = Files.createSymbolicLink(stack.home.resolve("logs/daemon.log"), precious);

        CliResult start = stack.run("local", "start");

        assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
        assertThat(start.errorLines()).as(start.toString()).singleElement().asString()
                .contains(log.toString()).contains("symbolic link");
        assertThat(start.showsJavaInternals()).as(start.toString()).isFalse();
        assertThat(precious).hasContent("do not touch");
    }

    /**
     * The CLI's own log (what the shared code logs, e.g. a corrupt state file it ignored) is
     * private too, and never written through a link planted at its path.
     */
    @Test
    void theCliLogIsPrivateAndNeverWrittenThroughALink(Stack stack) throws Exception {
        stack.stigmerHome().ensureCreated();
        Files.writeString(stack.stigmerHome().daemonRecord(), "garbage{{");
        Path cliLog = stack.home.resolve("logs/cli.log");

        CliResult stop = stack.run("local", "stop"); // reads the daemon's record, and logs that it ignored it

        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(cliLog).content().contains("ignoring unreadable state file");
        assertThat(mode(cliLog)).isEqualTo("rw-------");

        Files.delete(cliLog);
        Path precious = Files.writeString(stack.home.resolveSibling("precious.txt"), "do not touch\n");
        Files.createSymbolicLink(cliLog, precious);
        Files.writeString(stack.stigmerHome().daemonRecord(), "garbage{{");

        CliResult again = stack.run("local", "stop");

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stderr()).as("the log is a courtesy: no noise on the terminal").isBlank();
        assertThat(precious).hasContent("do not touch");
    }

    /**
     * A logs directory its user cannot read: `logs` says so in one line (not "unexpected error:
     * AccessDeniedException"), and a Temporal that cannot open its log (started again after a
     * crash) says why in `lastError`, not the bare path. Needs a user that permissions apply to: as root the CLI (and so
     * its daemon) runs as nobody.
     */
    @Test
    void anUnreadableLogsDirectoryIsNamedWithTheReason(Stack stack) throws Exception {
        runAsAnOrdinaryUser(stack);
        stack.start();
        Path logs = stack.home.resolve("logs");
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("---------"));
        try {
            CliResult read = stack.run("local", "logs", "temporal");

            assertThat(read.exitCode()).as(read.toString()).isEqualTo(1);
            assertThat(read.errorLines()).as(read.toString()).singleElement().asString()
                    .contains("cannot read " + logs + ": permission denied").contains("chmod");
            assertThat(read.showsJavaInternals()).as(read.toString()).isFalse();

            // A crash: the daemon starts Temporal again by itself (a CLI start would refuse the home first).
            Stack.killAndAwaitGone(stack.temporalPid());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                    stack.temporal().get("lastError").isJsonPrimitive());
            assertThat(stack.temporal().get("lastError").getAsString()).as(stack.log("daemon"))
                    .contains("cannot start").endsWith(logs.resolve("temporal.log") + ": permission denied");
        } finally {
            Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Root reads and writes everything: as root, the CLI runs as nobody in a test directory nobody owns. */
    private static void runAsAnOrdinaryUser(Stack stack) throws Exception {
        if (!RootOnly.isRoot()) {
            return; // permissions already apply
        }
        Path dir = stack.home.getParent();
        Process chown = new ProcessBuilder("chown", "-R", "nobody:", dir.toString()).inheritIO().start();
        assertThat(chown.waitFor()).as("chown -R nobody: " + dir).isZero();
        stack.launcher.addAll(java.util.List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
