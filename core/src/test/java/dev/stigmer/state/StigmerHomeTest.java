package dev.stigmer.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StigmerHomeTest {
    @TempDir
    Path dir;

    @Test
    void ensureCreatedMakesHomeAndRunPrivate() throws Exception {
        StigmerHome home = new StigmerHome(dir.resolve("nested/home")).ensureCreated();

        assertThat(permissions(home.root())).isEqualTo("rwx------");
        assertThat(permissions(home.runDir())).isEqualTo("rwx------");
        assertThat(home.logsDir()).isDirectory();
        try (var entries = Files.list(home.runDir())) {
            assertThat(entries).as("write check leaves nothing behind").isEmpty();
        }
    }

    /** The home may be a directory the user made and chose a mode for: only run/ is ours to fix. */
    @Test
    void ensureCreatedLeavesTheModeOfAnExistingHomeAloneButKeepsRunPrivate() throws Exception {
        Path root = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(root.resolve("run"));
        Files.setPosixFilePermissions(root.resolve("run"), PosixFilePermissions.fromString("rwxrwxrwx"));

        StigmerHome home = new StigmerHome(root).ensureCreated();

        assertThat(permissions(home.root())).isEqualTo("rwxr-xr-x");
        assertThat(permissions(home.runDir())).isEqualTo("rwx------");
        assertThat(home.permissionWarning()).as("others can read, not write: no warning").isEmpty();
    }

    /** Created whatever the umask (the build's is 022): logs and data are nobody else's business. */
    @Test
    void logsAndDataDirectoriesAreCreatedPrivate() throws Exception {
        StigmerHome home = new StigmerHome(dir.resolve("home")).ensureCreated();

        Path data = home.ensureDataDir("temporal");

        assertThat(data).isEqualTo(home.dataDir("temporal"));
        assertThat(permissions(home.logsDir())).isEqualTo("rwx------");
        assertThat(permissions(data)).isEqualTo("rwx------");
    }

    @Test
    void aHomeOthersCanWriteToIsLeftAloneWithAOneLineWarning() throws Exception {
        Path root = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));

        StigmerHome home = new StigmerHome(root).ensureCreated();

        assertThat(permissions(home.root())).isEqualTo("rwxrwxrwx");
        assertThat(home.permissionWarning()).get().asString()
                .contains(root.toString()).contains("writable by others").contains("chmod go-w")
                .doesNotContain("\n");
    }

    @Test
    void homeUnderARegularFileFailsWithOneLineThatSaysWhatToDo() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        StigmerHome home = new StigmerHome(file.resolve("home"));

        assertThatThrownBy(home::ensureCreated)
                .isInstanceOf(StigmerHome.HomeException.class)
                .hasMessageContaining(home.root().toString())
                .hasMessageContaining("STIGMER_HOME")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void relativeHomeIsMadeAbsolute() {
        assertThat(new StigmerHome(Path.of("some/../home")).root())
                .isEqualTo(Path.of("").toAbsolutePath().resolve("home"));
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
