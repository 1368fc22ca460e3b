package dev.stigmer.control;

import dev.stigmer.stack.ServiceDefinition;

import java.util.List;
import java.util.Map;

/**
 * A stack to run beside Temporal, resolved by the CLI from its file.
 *
 * @param file        the stack file, absolute: one daemon runs one file's stack
 * @param services    in file order
 * @param environment the environment of the `stigmer local` call: the base of the environment of
 *                    each service it creates or replaces (a service keeps the one it started with)
 */
public record StackRequest(String file, List<ServiceDefinition> services, Map<String, String> environment) {
    public StackRequest {
        services = List.copyOf(services);
        environment = Map.copyOf(environment);
    }
}
