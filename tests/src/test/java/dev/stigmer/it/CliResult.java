package dev.stigmer.it;

import java.util.List;

/** What one run of the CLI did. */
record CliResult(int exitCode, String stdout, String stderr, long millis) {

    String output() {
        return stdout + stderr;
    }

    /** The non-blank lines on stderr. */
    List<String> errorLines() {
        return stderr.lines().filter(line -> !line.isBlank()).toList();
    }

    /** Java internals a user must never see: exception class names and stack frames. */
    boolean showsJavaInternals() {
        return output().contains("Exception") || output().contains("\tat ");
    }

    @Override
    public String toString() {
        return "exit " + exitCode + " after " + millis + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
