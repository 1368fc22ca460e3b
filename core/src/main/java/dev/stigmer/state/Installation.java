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
 */
public record Installation(Path root, Path java) {

    public static Installation current() {
        String dist = System.getProperty("stigmer.dist");
        if (dist == null) {
            throw new IllegalStateException("stigmer.dist is not set: run stigmer through its launcher");
        }
        Path java = ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        return new Installation(Path.of(dist).toAbsolutePath().normalize(), java);
    }

    public Path lib(String part) {
        return root.resolve("build").resolve("lib").resolve(part);
    }

    /**
     * The AOT cache trained for one part (build/aot/PART.aot), if the build made one. It only
     * helps with the exact classpath {@link #classpath} gives; the JVM ignores it otherwise.
     */
    public Optional<Path> aotCache(String part) {
        Path cache = root.resolve("build").resolve("aot").resolve(part + ".aot");
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
