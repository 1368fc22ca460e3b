package dev.stigmer.bench;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.util.concurrent.TimeUnit;

/** The benchmark's own view of "Temporal serves": gRPC Health/Check answers SERVING. */
final class Health implements AutoCloseable {
    static final String SERVICE = "temporal.api.workflowservice.v1.WorkflowService";
    private final ManagedChannel channel;

    Health(int port) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    boolean serving(long timeoutMillis) {
        channel.resetConnectBackoff();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS)
                    .check(HealthCheckRequest.newBuilder().setService(SERVICE).build())
                    .getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Polls until SERVING; returns the nanoTime it was first seen, or -1 once {@code deadline} (a nanoTime) passed. */
    long servingBy(long deadline) {
        while (System.nanoTime() < deadline) {
            if (serving(200)) {
                return System.nanoTime();
            }
            Bench.sleep(5);
        }
        return -1;
    }

    /** Polls until SERVING; returns the nanoTime it was first seen, or throws after {@code limitMillis}. */
    long awaitServing(long limitMillis) {
        long deadline = System.nanoTime() + limitMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (serving(200)) {
                return System.nanoTime();
            }
            Bench.sleep(5);
        }
        throw new IllegalStateException("not serving within " + limitMillis + " ms");
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
