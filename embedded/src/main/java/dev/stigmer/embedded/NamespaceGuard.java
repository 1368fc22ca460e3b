package dev.stigmer.embedded;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.temporal.api.errordetails.v1.NamespaceNotFoundFailure;

import java.util.Set;

/**
 * Answers a request for an unknown namespace as the real Temporal server does: NOT_FOUND
 * "Namespace X is not found." with a NamespaceNotFoundFailure detail. The test server itself
 * accepts any name, so a typo in a worker's namespace would silently make a second, empty one
 * that no client ever looks at.
 */
final class NamespaceGuard implements ServerInterceptor {
    // Names a namespace that does not exist yet, by design (answered UNIMPLEMENTED by the test server).
    private static final Set<String> EXEMPT = Set.of(
            "temporal.api.workflowservice.v1.WorkflowService/RegisterNamespace");

    private final Set<String> namespaces;

    NamespaceGuard(Set<String> namespaces) {
        this.namespaces = Set.copyOf(namespaces);
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        if (EXEMPT.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean rejected;

            @Override
            public void onMessage(Q message) {
                String namespace = namespaceOf(message);
                if (namespace != null && !namespaces.contains(namespace)) {
                    rejected = true;
                    reject(call, namespace);
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!rejected) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The request's top-level {@code namespace} field, or null when it has none (or it is empty). */
    private static String namespaceOf(Object message) {
        if (!(message instanceof Message request)) {
            return null;
        }
        FieldDescriptor field = request.getDescriptorForType().findFieldByName("namespace");
        if (field == null || field.getJavaType() != FieldDescriptor.JavaType.STRING || field.isRepeated()) {
            return null;
        }
        String namespace = (String) request.getField(field);
        return namespace.isEmpty() ? null : namespace;
    }

    private static <Q, A> void reject(ServerCall<Q, A> call, String namespace) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(Code.NOT_FOUND_VALUE)
                .setMessage("Namespace " + namespace + " is not found.")
                .addDetails(Any.pack(NamespaceNotFoundFailure.newBuilder().setNamespace(namespace).build()))
                .build();
        Status grpcStatus = StatusProto.toStatusRuntimeException(status).getStatus();
        Metadata trailers = StatusProto.toStatusRuntimeException(status).getTrailers();
        call.close(grpcStatus, trailers == null ? new Metadata() : trailers);
    }
}
