package dev.stigmer.cli;

import dev.stigmer.stackfile.StackDefinition;
import dev.stigmer.stackfile.StackFile;
import dev.stigmer.stackfile.StackFileException;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** `-f/--file FILE`: the stack file; else STIGMER_FILE; else the nearest stigmer.yaml upwards. */
final class StackFileOption {
    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The stack file (env STIGMER_FILE). Default: stigmer.yaml (or stigmer.yml) in this "
                    + "directory or the nearest parent; without one, Temporal alone.")
    String file;

    /** The stack file to use, if any; a file that was named but does not exist is a usage error. */
    Optional<Path> locate(Map<String, String> env) {
        try {
            return StackFile.locate(Path.of("").toAbsolutePath(), file, env);
        } catch (StackFileException e) {
            throw new UserError(e.getMessage(), UserError.USAGE);
        }
    }

    /** Reads and validates {@code path}; any problem is a usage error naming FILE:LINE:COLUMN. */
    static StackDefinition read(Path path, Map<String, String> env, Integer temporalPort) {
        try {
            return StackFile.read(path, env, temporalPort);
        } catch (StackFileException e) {
            throw new UserError(e.getMessage(), UserError.USAGE);
        }
    }
}
