package dev.stigmer.embedded;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.AddSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import io.temporal.internal.testservice.TestServicesStarter;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The embedded Temporal: the Temporal Java test server on one address (loopback by default,
 * unlike the stock TestServer main, which binds every interface), with the gRPC health service.
 * <p>
 * It behaves as a dev server, not as a test fixture: time runs at wall-clock speed (time
 * skipping is locked and its control service is not exposed, so no client can unlock it), and
 * only the configured namespaces exist. It keeps everything in memory: a restart loses all
 * workflows.
 * <p>
 * Usage: {@code EmbeddedTemporal [--ip ADDRESS] [--port PORT] [--namespace NAME]... [--tls-cert PEM
 * --tls-key PEM [--tls-client-ca PEM]] [--api-key-env VAR]}; exit 1 at once when it cannot listen,
 * 2 on bad arguments. The TLS and API-key options make it stand in for a secured Temporal (as
 * Temporal Cloud is) where stigmer's external mode is tested: TLS with this certificate and key
 * (mutual TLS with a client CA), and every Temporal call must carry {@code authorization: Bearer
 * $VAR} (the key comes from the environment, never the command line, which any user can read).
 */
public final class EmbeddedTemporal {
    static final String DEFAULT_NAMESPACE = "default";

    private EmbeddedTemporal() {
    }

    public static void main(String[] args) {
        String ip = "127.0.0.1";
        int port = 7233;
        Set<String> namespaces = new LinkedHashSet<>(List.of(DEFAULT_NAMESPACE));
        Map<String, IndexedValueType> searchAttributes = new LinkedHashMap<>();
        Security security = new Security();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--ip" -> ip = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--namespace" -> namespaces.add(args[++i]);
                    case "--search-attribute" -> {
                        String[] nameAndType = args[++i].split("=", 2);
                        searchAttributes.put(nameAndType[0], indexedType(nameAndType.length == 2 ? nameAndType[1] : ""));
                    }
                    case "--tls-cert" -> security.cert = new File(args[++i]);
                    case "--tls-key" -> security.key = new File(args[++i]);
                    case "--tls-client-ca" -> security.clientCa = new File(args[++i]);
                    case "--api-key-env" -> security.apiKey = apiKey(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            security.check();
        } catch (RuntimeException e) {
            System.err.println("embedded temporal: " + e.getMessage() + " (usage: [--ip ADDRESS] [--port PORT] "
                    + "[--namespace NAME]... [--search-attribute NAME=TYPE]... [--tls-cert PEM --tls-key PEM "
                    + "[--tls-client-ca PEM]] [--api-key-env VAR])");
            System.exit(2);
        }
        // true: time skipping locked, i.e. timers fire at wall-clock time, as on a real server.
        // With false the server jumps to the next timer whenever no task is in flight: a 1 h sleep
        // returns at once and a workflow waiting for a signal hits its run timeout.
        TestServicesStarter services = new TestServicesStarter(true, 0);
        registerSearchAttributes(services, searchAttributes);
        Server server;
        try {
            server = serve(services, new InetSocketAddress(InetAddress.getByName(ip), port), namespaces, security);
        } catch (IOException e) {
            // Netty's threads would keep this JVM alive, listening on nothing: exit, say why.
            System.err.println("embedded temporal: cannot listen on " + ip + ":" + port + ": " + rootMessage(e));
            System.out.flush();
            Runtime.getRuntime().halt(1);
            return;
        }
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
        System.out.println("Embedded Temporal (in memory, real time) serving on " + ip + ":" + port
                + ", namespaces " + String.join(", ", namespaces) + security.describe());
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Registers the workflow and operator services (not the test service: it would let a client
     * unlock time skipping) behind the namespace guard, plus the gRPC health service.
     */
    static Server serve(TestServicesStarter services, InetSocketAddress address, Set<String> namespaces, Security security)
            throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address, security.credentials());
        HealthStatusManager health = new HealthStatusManager();
        NamespaceGuard guard = new NamespaceGuard(namespaces);
        for (BindableService service : List.<BindableService>of(services.getWorkflowService(), services.getOperatorService())) {
            var definition = service.bindService();
            // The key is checked first, as a real server does: an unknown caller learns nothing of namespaces.
            builder.addService(security.apiKey == null ? ServerInterceptors.intercept(definition, guard)
                    : ServerInterceptors.intercept(definition, guard, new ApiKeyCheck(security.apiKey)));
            health.setStatus(definition.getServiceDescriptor().getName(), ServingStatus.SERVING);
        }
        builder.addService(health.getHealthService());
        return builder.build().start();
    }

    /** As `temporal operator search-attribute create` would, through the server's own operator service. */
    private static void registerSearchAttributes(TestServicesStarter services, Map<String, IndexedValueType> attributes) {
        if (attributes.isEmpty()) {
            return;
        }
        AddSearchAttributesRequest request = AddSearchAttributesRequest.newBuilder().setNamespace(DEFAULT_NAMESPACE)
                .putAllSearchAttributes(attributes).build();
        OperatorServiceGrpc.OperatorServiceImplBase operator = services.getOperatorService();
        operator.addSearchAttributes(request, new StreamObserver<>() {
            @Override
            public void onNext(AddSearchAttributesResponse response) {
            }

            @Override
            public void onError(Throwable t) {
                System.err.println("embedded temporal: cannot register search attributes " + attributes.keySet() + ": "
                        + rootMessage(t));
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    /** Keyword, Text, Int, Double, Bool, Datetime or KeywordList (any case), as `start-dev` takes them. */
    static IndexedValueType indexedType(String type) {
        return switch (type.toLowerCase(java.util.Locale.ROOT)) {
            case "keyword" -> IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
            case "text" -> IndexedValueType.INDEXED_VALUE_TYPE_TEXT;
            case "int" -> IndexedValueType.INDEXED_VALUE_TYPE_INT;
            case "double" -> IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE;
            case "bool" -> IndexedValueType.INDEXED_VALUE_TYPE_BOOL;
            case "datetime" -> IndexedValueType.INDEXED_VALUE_TYPE_DATETIME;
            case "keywordlist" -> IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST;
            default -> throw new IllegalArgumentException("unknown search attribute type '" + type
                    + "' (Keyword, Text, Int, Double, Bool, Datetime, KeywordList)");
        };
    }

    /** What a client must show: TLS (mutual, with a client CA) and an API key; all optional. */
    static final class Security {
        File cert;
        File key;
        File clientCa;
        String apiKey;

        void check() {
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            if (clientCa != null && cert == null) {
                throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
            }
        }

        ServerCredentials credentials() throws IOException {
            if (cert == null) {
                return InsecureServerCredentials.create();
            }
            TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder().keyManager(cert, key);
            if (clientCa != null) {
                tls.trustManager(clientCa).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return tls.build();
        }

        String describe() {
            return (cert == null ? "" : clientCa == null ? ", TLS" : ", mutual TLS") + (apiKey == null ? "" : ", API key required");
        }
    }

    private static String apiKey(String variable) {
        String key = System.getenv(variable);
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("--api-key-env " + variable + ": that variable is not set");
        }
        return key;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
