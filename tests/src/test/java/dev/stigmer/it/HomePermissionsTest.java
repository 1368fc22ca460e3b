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

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
