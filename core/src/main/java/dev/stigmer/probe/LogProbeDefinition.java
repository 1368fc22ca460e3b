package dev.stigmer.probe;


import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code log: REGEX} (readiness only): a line printed since this start matches. */
public record LogProbeDefinition(String pattern, ProbeTiming timing) implements ProbeDefinition {
    static final String KIND = "log";

    static <E extends Exception> LogProbeDefinition parse(ProbeFields<E> fields, ProbeTiming timing) throws E {
        if (!fields.readiness()) {
            throw fields.invalidKey(KIND, "a log probe says when a service is ready, not whether it stays healthy; "
                    + "use it under ready:, or use http, tcp, grpc or exec here");
        }
        String regex = fields.string(KIND);
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw fields.invalid(KIND, fields.what() + " log is not a valid regular expression: " + e.getDescription());
        }
        return new LogProbeDefinition(regex, timing);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of(KIND, pattern);
    }

    @Override
    public HealthProbe build(ProbeContext context) {
        return new LogProbe(context.log(), pattern);
    }
}
