package dev.stigmer.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where this build of stigmer lives: {@code build/lib/<part>/*.jar} under the root the launcher
 * passes as -Dstigmer.dist, one classpath per process kind (cli, daemon, embedded), and the
 * JDK running us, which every process we start reuses.
 *
 * @param lib the real path of build/lib, resolved once: the launcher points build/lib at a new
 *            directory after each build, and a daemon keeps using (and naming, on its
 *            processes' command lines) the one it started from, which the launcher keeps
 */
public record Installation(Path root, Path java, Path lib) {

    public static Installation current() {
        String dist = System.getProperty("stigmer.dist");
        if (dist == null) {
            throw new IllegalStateException("stigmer.dist is not set: run stigmer through its launcher");
        }
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        Path root = Path.of(dist).toAbsolutePath().normalize();
        Path lib = root.resolve("build").resolve("lib");
        try {
            lib = lib.toRealPath();
        } catch (IOException e) {
            // not built: classpath() says so
        }
        return new Installation(root, java, lib);
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
            throw new IllegalStateException("stigmer is not built: " + lib(part) + " is missing; run ./stigmer again", e);
        }
    }
}
