package dev.stigmer.stack;

/** How a probe asks a service whether it is ready or healthy. */
public enum ProbeKind implements Keyword {
    /** GET a URL: 2xx or 3xx. */
    HTTP,
    /** Connect to HOST:PORT. */
    TCP,
    /** grpc.health.v1 Check at HOST:PORT, for {@code grpcService} (empty: the server). */
    GRPC,
    /** A line the service printed since this start matches a regular expression (readiness only). */
    LOG,
    /** A command exits 0, run in the service's directory with its environment. */
    EXEC;

    @Override
    public String toString() {
        return keyword();
    }
}
