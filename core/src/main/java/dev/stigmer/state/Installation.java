package dev.stigmer.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where this build of stigmer lives: {@code build/lib/<part>/*.jar} under the root the launcher
 * passes as -Dstigmer.dist (in a source checkout), or {@code lib/<part>/*.jar} in a release made by
 * ./package (recognised by its {@code release} file), one classpath per process kind (cli, daemon,
 * embedded), and the JVM running us, which every process we start reuses.
 *
 * @param lib the real path of build/lib, resolved once: the launcher points build/lib at a new
 *            directory after each build, and a daemon keeps using (and naming, on its
 *            processes' command lines) the one it started from, which the launcher keeps
 */
public record Installation(Path root, Path java, Path lib) {
    /** A release's description (version, commit, runtime), at its root; a source checkout has none. */
    public static final String RELEASE_FILE = "release";

    public static Installation current() {
        String dist = System.getProperty("stigmer.dist");
        if (dist == null) {
            throw new IllegalStateException("stigmer.dist is not set: run stigmer through its launcher");
        }
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        Path root = Path.of(dist).toAbsolutePath().normalize();
        Path lib = isRelease(root) ? root.resolve("lib") : root.resolve("build").resolve("lib");
        try {
            lib = lib.toRealPath();
        } catch (IOException e) {
            // not built: classpath() says so
        }
        return new Installation(root, java, lib);
    }

    private static boolean isRelease(Path root) {
        return Files.isRegularFile(root.resolve(RELEASE_FILE));
    }

    public Path lib(String part) {
        return lib.resolve(part);
    }

    /**
     * The AOT cache trained for one part (LIB/aot/PART.aot), if the build made one. It only
     * helps with the exact classpath {@link #classpath} gives; the JVM ignores it otherwise.
     */
    public Optional<Path> aotCache(String part) {
        Path cache = lib.resolve("aot").resolve(part + ".aot");
        return Files.isRegularFile(cache) ? Optional.of(cache) : Optional.empty();
    }

    /** The jars of one part, sorted, joined with ':' (the AOT cache wants jars, not directories). */
    public String classpath(String part) {
        try (Stream<Path> jars = Files.list(lib(part))) {
            return jars.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toString)
                    .collect(Collectors.joining(":"));
        } catch (IOException e) {
            throw new IllegalStateException("stigmer is not built: " + lib(part) + " is missing; "
                    + (isRelease(root) ? "the installation is damaged: install it again" : "run ./stigmer again"), e);
        }
    }
}
