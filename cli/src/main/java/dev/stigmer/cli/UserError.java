package dev.stigmer.cli;

/** An expected failure: its message is the one line the user sees; no stack trace. */
final class UserError extends RuntimeException {
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private final int exitCode;

    UserError(String message) {
        this(message, FAILURE);
    }

    UserError(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
