package dev.stigmer.bench;

import java.util.List;

/** A process supervisor under test, running the embedded Temporal on its own port. */
interface Peer extends AutoCloseable {
    String name();

    int port();

    /** From nothing: start the supervisor and Temporal; returns when the start command returns. */
    void coldStart();

    /** What a user runs to make sure it is up (or to ask), when it already is. */
    Bench.Run idempotentCall();

    /** The status command, for the many-clients figure. */
    List<String> statusCommand();

    /** The supervisor's own pid (the daemon), or -1. */
    long supervisorPid();

    /** The live Temporal process, or -1. */
    long temporalPid();

    /** Stops everything; returns when the stop command returned. */
    void stop();

    /** True when no process of this peer is alive. */
    boolean nothingLeft();

    @Override
    void close();
}
