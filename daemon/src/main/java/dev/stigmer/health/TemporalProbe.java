package dev.stigmer.health;

import com.google.protobuf.CodedOutputStream;
import dev.stigmer.control.ExternalTemporal;
import dev.stigmer.probe.HealthProbe;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Asks a Temporal that runs elsewhere what a client would: WorkflowService/DescribeNamespace for
 * its namespace, over TLS when configured (its CA, client certificate, server name), with the
 * API key as {@code authorization: Bearer KEY} and the namespace as {@code temporal-namespace}
 * (what Temporal Cloud routes on). So it passes only when the address answers, the certificate
 * is trusted, the key is accepted and the namespace exists: each failure is a different line.
 * <p>
 * The request is encoded here (one string field) rather than taken from Temporal's generated
 * stubs: they are a 12 MB jar, and the daemon stays small.
 */
public final class TemporalProbe implements HealthProbe, AutoCloseable {
    static final String DESCRIBE_NAMESPACE = "temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace";
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> NAMESPACE = Metadata.Key.of("temporal-namespace", Metadata.ASCII_STRING_MARSHALLER);
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withCause(e).asRuntimeException();
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(DESCRIBE_NAMESPACE)
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private final ExternalTemporal temporal;
    private final Supplier<String> apiKey;
    private final byte[] request;
    private ManagedChannel channel; // made on first use: a bad certificate file is a failing check, not a crash

    /** @param apiKey the current API key (null: none); read on every check, so a new key applies at once */
    public TemporalProbe(ExternalTemporal temporal, Supplier<String> apiKey) {
        this.temporal = temporal;
        this.apiKey = apiKey;
        this.request = describeNamespaceRequest(temporal.namespace());
    }

    @Override
    public synchronized ProbeResult check(java.time.Duration timeout) {
        String where = temporal.address();
        try {
            if (channel == null) {
                channel = channel(temporal);
            }
            // A server that came back must be seen at once, not after the channel's reconnect backoff.
            channel.resetConnectBackoff();
            Metadata headers = new Metadata();
            headers.put(NAMESPACE, temporal.namespace());
            String key = apiKey.get();
            if (key != null) {
                headers.put(AUTHORIZATION, "Bearer " + key);
            }
            var intercepted = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
            ClientCalls.blockingUnaryCall(intercepted, METHOD,
                    CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), request);
            return ProbeResult.serving();
        } catch (StatusRuntimeException e) {
            return ProbeResult.failing(where + ": " + describe(e.getStatus()));
        } catch (IOException | RuntimeException e) {
            return ProbeResult.failing(where + ": cannot set up TLS: " + rootMessage(e)
                    + "; check the tls files (PEM certificates, a PKCS#8 private key)");
        }
    }

    /** One line: the status, what caused it, and what to check. */
    static String describe(Status status) {
        StringBuilder line = new StringBuilder(status.getCode().toString());
        if (status.getDescription() != null) {
            line.append(" ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        String root = cause == null ? "" : rootMessage(cause);
        if (!root.isEmpty() && (status.getDescription() == null || !status.getDescription().contains(root))) {
            line.append(" (").append(root).append(")");
        }
        String hint = switch (status.getCode()) {
            case UNAUTHENTICATED, PERMISSION_DENIED -> "the server refused the credentials: check the API key "
                    + "(api_key_env) or the client certificate";
            case NOT_FOUND -> "check the namespace";
            case UNAVAILABLE -> root.contains("PKIX") || root.contains("certification path") || root.contains("unable to find valid")
                    ? "the server's certificate is not trusted: give its CA as tls.ca"
                    : root.contains("hostname") || root.contains("subject alternative") || root.contains("verify")
                    ? "the server's certificate does not name this host: set tls.server_name"
                    : "is it running, and is the address right?";
            case DEADLINE_EXCEEDED -> "no answer in time: a firewall, or a plaintext/TLS mismatch (tls)";
            default -> null;
        };
        return hint == null ? line.toString() : line + "; " + hint;
    }

    private static ManagedChannel channel(ExternalTemporal temporal) throws IOException {
        ChannelCredentials credentials = InsecureChannelCredentials.create();
        ExternalTemporal.Tls tls = temporal.tls();
        if (tls != null) {
            TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
            if (tls.ca() != null) {
                builder.trustManager(new File(tls.ca()));
            }
            if (tls.cert() != null) {
                builder.keyManager(new File(tls.cert()), new File(tls.key()));
            }
            credentials = builder.build();
        }
        OkHttpChannelBuilder builder = OkHttpChannelBuilder.forAddress(temporal.host(), temporal.port(), credentials);
        if (tls != null && tls.serverName() != null) {
            builder.overrideAuthority(tls.serverName() + ":" + temporal.port());
        }
        return builder.build();
    }

    /** DescribeNamespaceRequest { string namespace = 1; } */
    static byte[] describeNamespaceRequest(String namespace) {
        byte[] bytes = new byte[CodedOutputStream.computeStringSize(1, namespace)];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            out.writeString(1, namespace);
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        // The message says it (no Java class names for people); only a bare exception is named by its kind.
        return cause.getMessage() == null || cause.getMessage().isBlank() ? cause.getClass().getSimpleName()
                : cause.getMessage();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
    }
}
