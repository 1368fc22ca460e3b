package dev.stigmer.probe;


import java.nio.file.Path;
import java.util.Map;

/**
 * What a probe of one service needs from where it runs: its log (a log probe reads it), its
 * environment and directory (an exec probe runs like the service), and the gRPC health check,
 * whose library only the daemon carries.
 */
public record ProbeContext(Path log, Map<String, String> environment, Path directory, GrpcHealthChecks grpc) {

    /** Makes a grpc.health.v1 Check probe of HOST:PORT for {@code service} ("" for the server). */
    @FunctionalInterface
    public interface GrpcHealthChecks {
        HealthProbe probe(String host, int port, String service);
    }
}
