package dev.stigmer.stack;

import dev.stigmer.probe.ProbeDefinition;
import dev.stigmer.state.Json;

import java.util.List;
import java.util.Map;

/**
 * One service of the stack, resolved: variables substituted, env files read, paths absolute,
 * defaults filled.
 *
 * @param command     the argv to exec (a string in the file becomes /bin/sh -c STRING)
 * @param workingDir  absolute; the file's directory unless the file says otherwise
 * @param environment the file's environment for it: its env files in order, then {@code env}
 *                    (the caller's environment and the ownership marks are added when it starts)
 * @param port        a port it listens on, which must be free on 127.0.0.1 before each start
 * @param ready       when it counts as healthy; null: as soon as it started
 * @param health      liveness once ready; null: none
 * @param stopSignal  the signal number that asks it to stop (then SIGKILL after stopGrace)
 * @param watch       what replaces it on a change of its files; null: not watched
 */
public record ServiceDefinition(String name, List<String> command, String workingDir, Map<String, String> environment,
                                Integer port, Map<String, DependencyDefinition> dependsOn, ProbeDefinition ready,
                                ProbeDefinition health, RestartMode restart, int stopSignal, long stopGraceMillis,
                                long startTimeoutMillis, WatchDefinition watch) {

    public ServiceDefinition {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        dependsOn = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(dependsOn)); // file order
    }

    public ServiceDefinition(String name, List<String> command, String workingDir, Map<String, String> environment,
                             Integer port, Map<String, DependencyDefinition> dependsOn, ProbeDefinition ready,
                             ProbeDefinition health, RestartMode restart, int stopSignal, long stopGraceMillis,
                             long startTimeoutMillis) {
        this(name, command, workingDir, environment, port, dependsOn, ready, health, restart, stopSignal, stopGraceMillis,
                startTimeoutMillis, null);
    }

    /**
     * SHA-256 of everything that shapes the running process, so a re-run replaces exactly the
     * services whose definition changed. Not {@code dependsOn}: a new edge changes the order of
     * starts, not the process (as compose's config hash leaves depends_on out).
     */
    public String specHash() {
        // Sorted environment: the same file read twice gives the same hash.
        List<Object> shape = new java.util.ArrayList<>(List.of(name, command, workingDir, new java.util.TreeMap<>(environment),
                String.valueOf(port), String.valueOf(Json.write(ready)), String.valueOf(Json.write(health)), restart.keyword(),
                stopSignal, stopGraceMillis, startTimeoutMillis));
        if (watch != null) {
            shape.add(Json.write(watch)); // only when watched: an unwatched service keeps the hash it had before watch existed
        }
        return SpecHash.of(shape);
    }
}
