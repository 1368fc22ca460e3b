package dev.stigmer.cli;

import dev.stigmer.config.ExitCodes;

/** An expected failure: its message is the one line the user sees; no stack trace. */
final class UserError extends RuntimeException {
    static final int FAILURE = ExitCodes.FAILURE;
    static final int USAGE = ExitCodes.USAGE;

    private final int exitCode;

    UserError(String message) {
        this(message, FAILURE);
    }

    UserError(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** What {@code read} returns; a bad value it read (its IllegalArgumentException, one line) is a usage error. */
    static <T> T usage(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), USAGE);
        }
    }

    int exitCode() {
        return exitCode;
    }
}
