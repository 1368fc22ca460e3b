package dev.stigmer.probe;

import dev.stigmer.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code ready} or {@code health} probe as the stack file declares it: one record per kind,
 * each parsing its own keys, describing itself and building its own {@link HealthProbe}. A new
 * kind is its record, its probe, and one line in {@link #KINDS} (and in {@code permits}).
 */
public sealed interface ProbeDefinition
        permits HttpProbeDefinition, TcpProbeDefinition, GrpcProbeDefinition, LogProbeDefinition, ExecProbeDefinition {

    /** Every kind: the key that names it in the file, the keys only it may have, how it reads itself. */
    List<Kind> KINDS = List.of(
            new Kind("http", List.of(), HttpProbeDefinition.class, HttpProbeDefinition::parse),
            new Kind("tcp", List.of(), TcpProbeDefinition.class, TcpProbeDefinition::parse),
            new Kind("grpc", List.of("grpc_service"), GrpcProbeDefinition.class, GrpcProbeDefinition::parse),
            new Kind("log", List.of(), LogProbeDefinition.class, LogProbeDefinition::parse),
            new Kind("exec", List.of(), ExecProbeDefinition.class, ExecProbeDefinition::parse));

    /** The keys every kind shares. */
    List<String> TIMING_KEYS = List.of("interval", "timeout", "failures");

    /** Its kind's key: "http", "tcp", ... */
    String kind();

    ProbeTiming timing();

    /** What it checks, as the file would write it (the kind's key first); the timing is added by {@link #description()}. */
    Map<String, Object> describe();

    /** The probe that does the checking. */
    HealthProbe build(ProbeContext context);

    /** Everything, as the file would write it with every default filled: for {@code config}. */
    default Map<String, Object> description() {
        Map<String, Object> out = new LinkedHashMap<>(describe());
        out.put("interval", Durations.text(Duration.ofMillis(timing().intervalMillis())));
        out.put("timeout", Durations.text(Duration.ofMillis(timing().timeoutMillis())));
        out.put("failures", timing().failures());
        return out;
    }

    /** The probe on its schedule, for a supervisor. */
    default ProbeSchedule schedule(ProbeContext context) {
        return new ProbeSchedule(build(context), Duration.ofMillis(timing().intervalMillis()),
                Duration.ofMillis(timing().timeoutMillis()), timing().failures());
    }

    /** Reads one kind's keys; the timing is read already. */
    @FunctionalInterface
    interface Parser {
        <E extends Exception> ProbeDefinition parse(ProbeFields<E> fields, ProbeTiming timing) throws E;
    }

    record Kind(String key, List<String> ownKeys, Class<? extends ProbeDefinition> type, Parser parser) {
    }

    /** Every key a probe's mapping may have. */
    static List<String> keys() {
        List<String> keys = new ArrayList<>(KINDS.stream().map(Kind::key).toList());
        KINDS.forEach(kind -> keys.addAll(kind.ownKeys()));
        keys.addAll(TIMING_KEYS);
        return keys;
    }

    /** Reads a probe's mapping: exactly one kind, the keys that belong to it, and the timing. */
    static <E extends Exception> ProbeDefinition parse(ProbeFields<E> fields) throws E {
        List<Kind> given = KINDS.stream().filter(kind -> fields.has(kind.key())).toList();
        String all = String.join(", ", KINDS.stream().map(Kind::key).toList());
        if (given.isEmpty()) {
            throw fields.invalid(null, fields.what() + " needs one of " + all);
        }
        if (given.size() > 1) {
            throw fields.invalidKey(given.get(1).key(), fields.what() + " has " + given.get(0).key() + " and "
                    + given.get(1).key() + "; keep one of " + all);
        }
        Kind kind = given.getFirst();
        for (Kind other : KINDS) {
            for (String key : other.ownKeys()) {
                if (other != kind && fields.has(key)) {
                    throw fields.invalidKey(key, key + " belongs to a " + other.key() + " probe; remove it from this "
                            + kind.key() + " probe");
                }
            }
        }
        boolean ready = fields.readiness();
        ProbeTiming timing = new ProbeTiming(
                fields.has("interval") ? fields.millis("interval") : ready ? 250 : 5_000,
                fields.has("timeout") ? fields.millis("timeout") : ready ? 1_000 : 2_000,
                fields.has("failures") ? fields.positive("failures") : 3);
        return kind.parser().parse(fields, timing);
    }
}
