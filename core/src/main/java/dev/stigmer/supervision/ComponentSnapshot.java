package dev.stigmer.supervision;

import java.util.List;
import java.util.Map;

/** What a supervisor says about its component at one moment; immutable, safe to hand out. */
public record ComponentSnapshot(
        String name,
        ComponentState state,
        Long pid,
        String address,
        String mode,
        boolean persistent,
        Map<String, String> links,
        int restarts,
        boolean adopted,
        Long startedAtMillis,
        String lastExit,
        String lastError,
        List<String> logTail) {
}
