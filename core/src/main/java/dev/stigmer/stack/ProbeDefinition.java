package dev.stigmer.stack;

import java.util.List;

/**
 * A {@code ready} or {@code health} probe.
 *
 * @param target      what {@code kind} checks: a URL (http), HOST:PORT (tcp, grpc), a regular
 *                    expression (log); null for exec
 * @param grpcService the service named in the gRPC health check (grpc only; "" for the server)
 * @param command     the argv of an exec probe (a string in the file runs through /bin/sh -c)
 * @param failures    how many failures in a row make a running service unhealthy
 */
public record ProbeDefinition(ProbeKind kind, String target, String grpcService, List<String> command,
                              long intervalMillis, long timeoutMillis, int failures) {
    public ProbeDefinition {
        command = command == null ? null : List.copyOf(command);
    }
}
