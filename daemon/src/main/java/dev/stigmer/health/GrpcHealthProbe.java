package dev.stigmer.health;

import dev.stigmer.probe.HealthProbe;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.okhttp.OkHttpChannelBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * grpc.health.v1.Health/Check for one service. A port that merely accepts connections (a hung
 * process, a foreign listener) fails: only an answer of SERVING within the timeout passes.
 */
public final class GrpcHealthProbe implements HealthProbe, AutoCloseable {
    private final String host;
    private final int port;
    private final String service;
    private final ManagedChannel channel;

    public GrpcHealthProbe(String host, int port, String service) {
        this.host = host;
        this.port = port;
        this.service = service;
        this.channel = OkHttpChannelBuilder.forAddress(host, port).usePlaintext().build();
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.of(port);
    }

    @Override
    public ProbeResult check(Duration timeout) {
        // A restarted server must be seen at once, not after the channel's reconnect backoff.
        channel.resetConnectBackoff();
        try {
            HealthCheckResponse response = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(service).build());
            if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                return ProbeResult.serving();
            }
            return ProbeResult.failing(host + ":" + port + " answers " + response.getStatus());
        } catch (StatusRuntimeException e) {
            return failing(e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                    : " " + e.getStatus().getDescription()), timeout);
        } catch (RuntimeException e) {
            return failing(e.toString(), timeout);
        }
    }

    /**
     * A failed check, saying whether anything accepts connections there: a server that listens but
     * does not speak gRPC (an HTTP server, a proxy) is a different problem from nothing listening.
     */
    private ProbeResult failing(String why, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.clamp(timeout.toMillis(), 1, 500));
            return ProbeResult.failing("port " + port + " accepts connections, but the gRPC health check fails: " + why);
        } catch (IOException | RuntimeException e) {
            return ProbeResult.failing(host + ":" + port + ": " + why);
        }
    }

    /**
     * {@code GrpcHealthProbe HOST PORT [SERVICE] [TIMEOUT_MS]}: one check until SERVING or the
     * timeout; exit 0 when serving. Used to train the embedded Temporal's AOT cache on the
     * request path (scripts/train-aot.sh), and handy by hand.
     */
    public static void main(String[] args) {
        String service = args.length > 2 ? args[2] : "temporal.api.workflowservice.v1.WorkflowService";
        long deadline = System.nanoTime() + (args.length > 3 ? Long.parseLong(args[3]) : 30_000) * 1_000_000;
        try (GrpcHealthProbe probe = new GrpcHealthProbe(args[0], Integer.parseInt(args[1]), service)) {
            ProbeResult result;
            do {
                result = probe.check(Duration.ofSeconds(1));
            } while (!result.healthy() && System.nanoTime() < deadline && pause());
            System.out.println(result.healthy() ? "SERVING" : result.detail());
            System.exit(result.healthy() ? 0 : 1);
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(20);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
