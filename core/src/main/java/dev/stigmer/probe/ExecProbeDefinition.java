package dev.stigmer.probe;


import java.util.List;
import java.util.Map;

/** {@code exec: COMMAND}: exits 0 in time, run in the service's directory with its environment. */
public record ExecProbeDefinition(List<String> command, ProbeTiming timing) implements ProbeDefinition {
    static final String KIND = "exec";

    public ExecProbeDefinition {
        command = List.copyOf(command);
    }

    static <E extends Exception> ExecProbeDefinition parse(ProbeFields<E> fields, ProbeTiming timing) throws E {
        return new ExecProbeDefinition(fields.command(KIND), timing);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of(KIND, command);
    }

    @Override
    public HealthProbe build(ProbeContext context) {
        return new ExecProbe(command, context.environment(), context.directory());
    }
}
