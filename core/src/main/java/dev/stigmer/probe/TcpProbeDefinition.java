package dev.stigmer.probe;


import java.util.Map;

/** {@code tcp: [HOST:]PORT}: a connection accepted. */
public record TcpProbeDefinition(String address, ProbeTiming timing) implements ProbeDefinition {
    static final String KIND = "tcp";

    static <E extends Exception> TcpProbeDefinition parse(ProbeFields<E> fields, ProbeTiming timing) throws E {
        return new TcpProbeDefinition(HostPort.read(fields, KIND), timing);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of(KIND, address);
    }

    @Override
    public HealthProbe build(ProbeContext context) {
        HostPort target = HostPort.parse(address).orElseThrow();
        return new TcpProbe(target.host(), target.port());
    }
}
