package dev.stigmer.probe;

import dev.stigmer.stack.RestartMode;
import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.state.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeDefinitionTest {
    private static final ProbeTiming TIMING = new ProbeTiming(250, 1000, 3);
    private static final List<ProbeDefinition> ONE_OF_EACH = List.of(
            new HttpProbeDefinition("http://127.0.0.1:8080/health", TIMING),
            new TcpProbeDefinition("127.0.0.1:8080", TIMING),
            new GrpcProbeDefinition("127.0.0.1:9090", "svc", TIMING),
            new LogProbeDefinition("listening on \\d+", TIMING),
            new ExecProbeDefinition(List.of("test", "-f", "ready"), TIMING));

    @Test
    void everyKindIsListedOnce() {
        assertThat(ProbeDefinition.KINDS.stream().<Class<?>>map(ProbeDefinition.Kind::type))
                .containsExactlyInAnyOrder(ProbeDefinition.class.getPermittedSubclasses());
        assertThat(ONE_OF_EACH.stream().map(ProbeDefinition::kind))
                .containsExactlyElementsOf(ProbeDefinition.KINDS.stream().map(ProbeDefinition.Kind::key).toList());
    }

    @Test
    void everyKindCrossesTheSocketAsItselfInsideAServiceDefinition() {
        for (ProbeDefinition probe : ONE_OF_EACH) {
            ServiceDefinition service = new ServiceDefinition("api", List.of("run"), "/tmp", Map.of(), null, Map.of(),
                    probe, null, RestartMode.ALWAYS, 15, 10_000, 60_000);
            String json = Json.write(service);
            assertThat(json).contains("\"kind\":\"" + probe.kind() + "\"");
            assertThat(Json.read(json, ServiceDefinition.class)).isEqualTo(service);
        }
    }

    @Test
    void anUnknownKindInJsonIsRefused() {
        assertThatThrownBy(() -> Json.read("{\"kind\":\"smoke\"}", ProbeDefinition.class))
                .hasMessageContaining("unknown probe kind smoke");
    }

    @Test
    void aDescriptionIsWhatTheFileWouldSayWithEveryDefault() {
        assertThat(new GrpcProbeDefinition("127.0.0.1:9090", "", new ProbeTiming(5_000, 2_000, 3)).description())
                .containsExactly(Map.entry("grpc", "127.0.0.1:9090"), Map.entry("interval", "5s"),
                        Map.entry("timeout", "2s"), Map.entry("failures", 3));
        assertThat(new ExecProbeDefinition(List.of("true"), TIMING).description())
                .containsEntry("exec", List.of("true")).containsEntry("interval", "250ms");
    }

    @Test
    void eachKindBuildsItsOwnProbe() {
        ProbeContext context = new ProbeContext(java.nio.file.Path.of("/tmp/x.log"), Map.of(), java.nio.file.Path.of("/tmp"),
                (host, port, service) -> timeout -> dev.stigmer.probe.HealthProbe.ProbeResult.failing(
                        "grpc " + host + ":" + port + " " + service));
        assertThat(ONE_OF_EACH.get(0).build(context)).isInstanceOf(HttpProbe.class);
        assertThat(ONE_OF_EACH.get(1).build(context)).isInstanceOf(TcpProbe.class);
        assertThat(ONE_OF_EACH.get(2).build(context).check(java.time.Duration.ofSeconds(1)).detail())
                .isEqualTo("grpc 127.0.0.1:9090 svc");
        assertThat(ONE_OF_EACH.get(3).build(context)).isInstanceOf(LogProbe.class);
        assertThat(ONE_OF_EACH.get(4).build(context)).isInstanceOf(ExecProbe.class);
    }
}
