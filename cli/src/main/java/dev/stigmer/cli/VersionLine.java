package dev.stigmer.cli;

import dev.stigmer.state.Installation;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What `stigmer --version` prints. A release (./package) names its version, the commit it was built
 * from and its bundled Java: {@code stigmer 0.2.0 (commit abc1234, Java 25.0.3 bundled)}. A source
 * checkout names its build, where it is and the JDK the launcher found.
 */
final class VersionLine {
    private VersionLine() {
    }

    static String line() {
        String java = System.getProperty("java.version");
        Optional<Properties> release = release();
        if (release.isPresent()) {
            Properties r = release.get();
            return "stigmer " + r.getProperty("STIGMER_VERSION", Main.version()) + " (commit "
                    + r.getProperty("STIGMER_COMMIT", "unknown") + ", Java " + java + " bundled)";
        }
        String dist = System.getProperty("stigmer.dist");
        return "stigmer " + Main.version() + " (" + (dist == null ? "" : "source checkout " + dist + ", ")
                + "Java " + java + " from " + System.getProperty("java.home") + ")";
    }

    /** The release file's keys, when this runs from a release. */
    private static Optional<Properties> release() {
        String dist = System.getProperty("stigmer.dist");
        Path file = dist == null ? null : Path.of(dist, Installation.RELEASE_FILE);
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            return Optional.empty(); // unreadable: the build identity alone still says what this is
        }
        return Optional.of(properties);
    }
}
