package dev.stigmer.config;

/** The exit codes the CLI and the daemon share. */
public final class ExitCodes {
    public static final int FAILURE = 1;
    /** A usage error: a bad flag, variable or stack file (the line says which and where). */
    public static final int USAGE = 2;
    /** `status`: nothing runs. */
    public static final int NOT_RUNNING = 3;
    /** EX_TEMPFAIL: another daemon holds the home's lock. */
    public static final int ALREADY_RUNNING = 75;
    /** 128 + SIGPIPE: whoever read our output went away. */
    public static final int OUTPUT_CLOSED = 141;

    private ExitCodes() {
    }
}
