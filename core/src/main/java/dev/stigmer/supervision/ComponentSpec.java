package dev.stigmer.supervision;

import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.stack.RestartMode;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the supervisor needs to run one component: what to exec, how to tell it serves,
 * when to restart it and how to stop it. Temporal is one, each service of a stack another;
 * nothing here knows which.
 *
 * @param kind        what it is, for people and for status ("temporal", "service")
 * @param workingDir  where it runs; null: the daemon's directory (the home)
 * @param endpoints   the addresses it listens on, its service address first. Each is checked
 *                    before every start: a foreign listener fails the start at once, naming it.
 *                    A probe answer from one of these ports counts only when the listener there
 *                    is the component's own process
 * @param mode        how it runs, for people ("cli", "embedded", ...)
 * @param persistent  whether its data survives a restart
 * @param links       extra addresses worth showing (e.g. a web UI)
 * @param ready       when a start counts as ready; empty: as soon as it is spawned
 * @param health      liveness once ready; empty: none (only its exit is watched)
 * @param restart     what an exit leads to: always a restart, one after a failure only, or none
 * @param specHash    what the component was made from: a process left by an earlier daemon is
 *                    adopted only when its record carries the same hash
 * @param exactEnvironment true: the process gets {@code environment} (and the marks) alone, nothing
 *                    of the daemon's (a service: the environment of the call that created it);
 *                    false: {@code environment} is added to the daemon's
 */
public record ComponentSpec(
        String name,
        String kind,
        List<String> command,
        Map<String, String> environment,
        Path workingDir,
        Path log,
        List<Endpoint> endpoints,
        String mode,
        boolean persistent,
        Map<String, String> links,
        Optional<ProbeSchedule> ready,
        Optional<ProbeSchedule> health,
        Duration startTimeout,
        RestartMode restart,
        RestartPolicy restartPolicy,
        StopPolicy stopPolicy,
        String specHash,
        boolean exactEnvironment) {

    /** One address the component listens on, and what for (named when someone else holds it). */
    public record Endpoint(String purpose, InetSocketAddress address) {
        public Endpoint {
            Objects.requireNonNull(purpose);
            Objects.requireNonNull(address);
        }

        public int port() {
            return address.getPort();
        }
    }

    public ComponentSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(restart);
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        endpoints = List.copyOf(endpoints);
        links = Map.copyOf(links);
        if (command.isEmpty() || startTimeout.isNegative()) {
            throw new IllegalArgumentException("invalid component spec for " + name);
        }
    }

    /** The address clients use: the first endpoint. */
    public Optional<Endpoint> service() {
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.getFirst());
    }

    public String address() {
        return service().map(e -> e.address().getHostString() + ":" + e.port()).orElse(null);
    }

    /** True when {@code port} is one of the component's own: a probe answer there must come from it. */
    public boolean owns(int port) {
        return endpoints.stream().anyMatch(e -> e.port() == port);
    }
}
