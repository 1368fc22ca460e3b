package dev.stigmer.probe;


import java.util.LinkedHashMap;
import java.util.Map;

/** {@code grpc: [HOST:]PORT} (and {@code grpc_service}): grpc.health.v1 Check answers SERVING. */
public record GrpcProbeDefinition(String address, String service, ProbeTiming timing) implements ProbeDefinition {
    static final String KIND = "grpc";
    static final String SERVICE = "grpc_service";

    public GrpcProbeDefinition {
        service = service == null ? "" : service; // "": the server as a whole
    }

    static <E extends Exception> GrpcProbeDefinition parse(ProbeFields<E> fields, ProbeTiming timing) throws E {
        return new GrpcProbeDefinition(HostPort.read(fields, KIND), fields.has(SERVICE) ? fields.string(SERVICE) : "", timing);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(KIND, address);
        if (!service.isEmpty()) {
            out.put(SERVICE, service);
        }
        return out;
    }

    @Override
    public HealthProbe build(ProbeContext context) {
        HostPort target = HostPort.parse(address).orElseThrow();
        return context.grpc().probe(target.host(), target.port(), service);
    }
}
