package dev.stigmer.supervision;

import dev.stigmer.process.StopPolicy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the supervisor needs to run one component: what to exec, how to tell it serves,
 * when to restart it and how to stop it. Temporal is one; nothing here knows which.
 *
 * @param endpoints   the addresses it listens on, its service address first. Each is checked
 *                    before every start: a foreign listener fails the start at once, naming it.
 *                    The service address is the one probed and shown in status, and its listener
 *                    must be the component's own process before it counts as ready or healthy
 * @param mode        how it runs, for people ("cli", "embedded", ...)
 * @param persistent  whether its data survives a restart
 * @param links       extra addresses worth showing (e.g. a web UI)
 */
public record ComponentSpec(
        String name,
        List<String> command,
        Map<String, String> environment,
        Path log,
        List<Endpoint> endpoints,
        String mode,
        boolean persistent,
        Map<String, String> links,
        HealthProbe probe,
        Duration startTimeout,
        Duration probeInterval,
        Duration probeTimeout,
        int failureThreshold,
        RestartPolicy restartPolicy,
        StopPolicy stopPolicy) {

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
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        endpoints = List.copyOf(endpoints);
        links = Map.copyOf(links);
        if (command.isEmpty() || failureThreshold < 1 || startTimeout.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("invalid component spec for " + name);
        }
    }

    /** The address clients use, the one probed: the first endpoint. */
    public Optional<Endpoint> service() {
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.getFirst());
    }

    public String address() {
        return service().map(e -> e.address().getHostString() + ":" + e.port()).orElse(null);
    }
}
