package dev.stigmer.it;

/** What one run of the CLI did. */
record CliResult(int exitCode, String stdout, String stderr, long millis) {

    String output() {
        return stdout + stderr;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + " after " + millis + " ms\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
