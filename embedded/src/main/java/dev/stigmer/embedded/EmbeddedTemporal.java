package dev.stigmer.embedded;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The embedded Temporal: the Temporal Java test server on one address (loopback by default,
 * unlike the stock TestServer main, which binds every interface), with the gRPC health service.
 * Keeps everything in memory: a restart loses all workflows.
 * <p>
 * Usage: {@code EmbeddedTemporal [--ip ADDRESS] [--port PORT]}
 */
public final class EmbeddedTemporal {
    private EmbeddedTemporal() {
    }

    public static void main(String[] args) throws Exception {
        String ip = "127.0.0.1";
        int port = 7233;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ip" -> ip = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("embedded temporal: unknown argument " + args[i]
                            + " (usage: [--ip ADDRESS] [--port PORT])");
                    System.exit(2);
                }
            }
        }
        TestServicesStarter services = new TestServicesStarter(false, 0);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName(ip), port));
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
        Server server = builder.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            services.close();
        }, "shutdown"));
        System.out.println("Embedded Temporal (in memory) serving on " + ip + ":" + port);
        server.awaitTermination();
    }
}
