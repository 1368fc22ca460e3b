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
 * @param listen      the address it will listen on, checked before each start: a foreign
 *                    listener there fails the start at once with its name
 * @param mode        how it runs, for people ("cli", "embedded", ...)
 * @param persistent  whether its data survives a restart
 * @param links       extra addresses worth showing (e.g. a web UI)
 */
public record ComponentSpec(
        String name,
        List<String> command,
        Map<String, String> environment,
        Path log,
        Optional<InetSocketAddress> listen,
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

    public ComponentSpec {
        Objects.requireNonNull(name);
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        links = Map.copyOf(links);
        if (command.isEmpty() || failureThreshold < 1 || startTimeout.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("invalid component spec for " + name);
        }
    }

    public String address() {
        return listen.map(a -> a.getHostString() + ":" + a.getPort()).orElse(null);
    }
}
