package dev.stigmer.stackfile;

import dev.stigmer.stack.ServiceDefinition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stack file, resolved: Temporal's settings from the file and the services in file order.
 *
 * @param file the file it came from, absolute (a running stack from another file is refused)
 */
public record StackDefinition(String file, TemporalDefinition temporal, Map<String, ServiceDefinition> services) {
    public StackDefinition {
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    }
}
