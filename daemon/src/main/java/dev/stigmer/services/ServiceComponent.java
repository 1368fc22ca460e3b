package dev.stigmer.services;

import dev.stigmer.control.TemporalClientVariables;
import dev.stigmer.health.ExecProbe;
import dev.stigmer.health.GrpcHealthProbe;
import dev.stigmer.health.HttpProbe;
import dev.stigmer.health.LogProbe;
import dev.stigmer.health.TcpProbe;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.stack.ProbeDefinition;
import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.ComponentSpec.Endpoint;
import dev.stigmer.supervision.HealthProbe;
import dev.stigmer.supervision.ProbeSchedule;
import dev.stigmer.supervision.RestartPolicy;
import dev.stigmer.supervision.Supervisor;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A service of the stack as a supervised component: its definition, made into a spec. */
public final class ServiceComponent {
    public static final String KIND = "service";
    static final String LOOPBACK = "127.0.0.1";
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private ServiceComponent() {
    }

    /**
     * @param callerEnvironment the environment of the `stigmer local` call that creates it: the base
     *                          of its own, under its env files and env; our marks are added on spawn
     * @param temporalVariables Temporal's standard client variables for the stack's Temporal
     *                          (TEMPORAL_ADDRESS, ...): over the caller's, under the file's env
     */
    public static ComponentSpec spec(ServiceDefinition service, Map<String, String> callerEnvironment,
                                     Map<String, String> temporalVariables, StigmerHome home) {
        Map<String, String> environment = new HashMap<>(callerEnvironment);
        // Ours to set on spawn, never the caller's: a shell that exported them must not mislead us.
        environment.keySet().removeIf(key -> key.equals(Ownership.HOME_VARIABLE) || key.equals(Ownership.COMPONENT_VARIABLE)
                || key.equals(Supervisor.SPEC_VARIABLE));
        // The caller's shell may point at another Temporal (a key, TLS files): none of it applies here.
        environment.keySet().removeIf(TemporalClientVariables::isConnectionVariable);
        environment.putAll(temporalVariables);
        environment.putAll(service.environment());
        Path directory = Path.of(service.workingDir());
        Path log = home.logFile(service.name());
        List<Endpoint> endpoints = service.port() == null ? List.of()
                : List.of(new Endpoint("port", new InetSocketAddress(LOOPBACK, service.port())));
        // An exec probe runs like the service: its directory, its environment and marks (a stop of
        // the service stops a probe in flight too).
        Map<String, String> probeEnvironment = new HashMap<>(environment);
        probeEnvironment.putAll(new Ownership(home.root(), service.name()).environment());
        return new ComponentSpec(service.name(), KIND, service.command(), environment, directory, log, endpoints,
                KIND, false, Map.of(),
                Optional.ofNullable(service.ready()).map(p -> schedule(p, log, probeEnvironment, directory)),
                Optional.ofNullable(service.health()).map(p -> schedule(p, log, probeEnvironment, directory)),
                Duration.ofMillis(service.startTimeoutMillis()), service.restart(), RestartPolicy.DEFAULT,
                new StopPolicy(Duration.ofMillis(service.stopGraceMillis()), KILL_WAIT, service.stopSignal()),
                specHash(service, temporalVariables), true);
    }

    /**
     * The service's spec hash: its definition's, with Temporal's client variables it gets (without
     * the API key, which never goes into a hash or a record): Temporal on another port replaces the
     * services, an unchanged Temporal keeps them.
     */
    public static String specHash(ServiceDefinition service, Map<String, String> temporalVariables) {
        Map<String, String> variables = new java.util.TreeMap<>(temporalVariables);
        variables.remove(TemporalClientVariables.API_KEY);
        return dev.stigmer.stack.SpecHash.of(List.of(service.specHash(), variables));
    }

    private static ProbeSchedule schedule(ProbeDefinition definition, Path log, Map<String, String> environment,
                                          Path directory) {
        return new ProbeSchedule(probe(definition, log, environment, directory), Duration.ofMillis(definition.intervalMillis()),
                Duration.ofMillis(definition.timeoutMillis()), definition.failures());
    }

    static HealthProbe probe(ProbeDefinition definition, Path log, Map<String, String> environment, Path directory) {
        return switch (definition.kind()) {
            case HTTP -> new HttpProbe(definition.target());
            case TCP -> new TcpProbe(host(definition.target()), port(definition.target()));
            case GRPC -> new GrpcHealthProbe(host(definition.target()), port(definition.target()),
                    definition.grpcService() == null ? "" : definition.grpcService());
            case LOG -> new LogProbe(log, definition.target());
            case EXEC -> new ExecProbe(definition.command(), environment, directory);
        };
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
