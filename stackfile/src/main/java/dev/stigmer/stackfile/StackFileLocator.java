package dev.stigmer.stackfile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the stack file: the one {@code -f/--file} or {@code STIGMER_FILE} names, else
 * {@code stigmer.yaml} (then {@code stigmer.yml}) in the current directory or the nearest parent.
 * Apart from the parser so that a `stigmer local` without a stack file loads no YAML classes.
 */
public final class StackFileLocator {
    public static final String ENV_FILE_VARIABLE = dev.stigmer.config.StigmerEnvironment.FILE;
    static final List<String> NAMES = List.of("stigmer.yaml", "stigmer.yml");

    private StackFileLocator() {
    }

    /**
     * The stack file to use: {@code explicit} (from -f), else {@code STIGMER_FILE}, else the nearest
     * stigmer.yaml/.yml from {@code cwd} up; empty when there is none (no stack: Temporal alone).
     *
     * @throws StackFileException when a named file does not exist
     */
    public static Optional<Path> locate(Path cwd, String explicit, Map<String, String> env) throws StackFileException {
        String named = explicit != null ? explicit : blankToNull(env.get(ENV_FILE_VARIABLE));
        if (named != null) {
            Path path = cwd.resolve(named).toAbsolutePath().normalize();
            if (!Files.isRegularFile(path)) {
                String source = explicit != null ? "--file" : ENV_FILE_VARIABLE;
                throw new StackFileException(new Position(path, 1, 1), (Files.exists(path) ? "not a file" : "no such file")
                        + " (named by " + source + "); give the path of a stigmer.yaml");
            }
            return Optional.of(path);
        }
        for (Path at = cwd.toAbsolutePath().normalize(); at != null; at = at.getParent()) {
            for (String name : NAMES) {
                Path candidate = at.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
