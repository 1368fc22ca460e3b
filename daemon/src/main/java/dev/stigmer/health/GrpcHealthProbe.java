package dev.stigmer.health;

import dev.stigmer.supervision.HealthProbe;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.okhttp.OkHttpChannelBuilder;

import java.time.Duration;
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
            return ProbeResult.failing(host + ":" + port + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
        } catch (RuntimeException e) {
            return ProbeResult.failing(host + ":" + port + ": " + e);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
