package dev.stigmer.control;

import dev.stigmer.stack.ServiceDefinition;

import java.util.List;
import java.util.Map;

/**
 * A stack to run beside Temporal, resolved by the CLI from its file.
 *
 * @param file           the stack file, absolute: one daemon runs one file's stack
 * @param services       in file order
 * @param environment    the environment of the `stigmer local` call: the base of the environment of
 *                       each service it creates or replaces (a service keeps the one it started with)
 * @param temporalApiKey the external Temporal's API key, when it has one: it travels only over the
 *                       daemon's socket (never in a file, an argv or a log); null otherwise
 * @param noWatch        {@code start --no-watch}: no service is watched, whatever its {@code watch:}
 */
public record StackRequest(String file, List<ServiceDefinition> services, Map<String, String> environment,
                           String temporalApiKey, boolean noWatch) {
    public StackRequest {
        services = List.copyOf(services);
        environment = Map.copyOf(environment);
    }

    public StackRequest(String file, List<ServiceDefinition> services, Map<String, String> environment,
                        String temporalApiKey) {
        this(file, services, environment, temporalApiKey, false);
    }

    public StackRequest(String file, List<ServiceDefinition> services, Map<String, String> environment) {
        this(file, services, environment, null);
    }

    /** True unless {@code --no-watch}. */
    public boolean watch() {
        return !noWatch;
    }

    /** Never the key: a record's default toString would print it wherever a request is logged. */
    @Override
    public String toString() {
        return "StackRequest[file=" + file + ", services=" + services.size() + (temporalApiKey == null ? "" : ", API key")
                + "]";
    }
}
