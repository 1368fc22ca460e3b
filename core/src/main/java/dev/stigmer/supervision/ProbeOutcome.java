package dev.stigmer.supervision;

import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.supervision.ComponentSpec.Endpoint;
import dev.stigmer.supervision.HealthProbe.ProbeResult;

import java.time.Duration;
import java.util.Optional;

/**
 * A health check whose answer counts only if it came from the component's own listener: a
 * process of ours that failed to bind stays alive while another server on the port (another
 * home's, say) answers the probe. After a passing probe, the socket listening on the service
 * port must belong to the component's process or one of its descendants.
 *
 * @param foreignListener set when someone else listens on the service port: why our component
 *                        cannot be the one serving there
 */
record ProbeOutcome(ProbeResult result, Optional<String> foreignListener) {

    /** Blocking: runs the probe (up to {@code timeout}) and then looks at the port's owner. */
    static ProbeOutcome check(ComponentSpec spec, long pid, Duration timeout) {
        ProbeResult result = spec.probe().check(timeout);
        Optional<Endpoint> service = spec.service();
        if (!result.healthy() || service.isEmpty()) {
            return new ProbeOutcome(result, Optional.empty());
        }
        int port = service.get().port();
        return switch (PortOwner.whoListens(port, pid)) {
            // UNKNOWN: /proc/net is hidden here; the probe is all there is to go by.
            case OURS, UNKNOWN -> new ProbeOutcome(result, Optional.empty());
            case NOBODY -> new ProbeOutcome(ProbeResult.failing("port " + port
                    + " answered, but nothing listens there any more"), Optional.empty());
            case FOREIGN -> {
                Optional<ProcessIdentity> holder = PortOwner.listenerOf(port);
                yield new ProbeOutcome(ProbeResult.failing("port " + port + " answers, but from "
                        + holder.map(ProcessIdentity::describe).orElse("another process") + ", not from pid " + pid
                        + " or its children"), Optional.of(PortClaim.inUse(spec, service.get(), holder)));
            }
        };
    }

    static ProbeOutcome failed(String detail) {
        return new ProbeOutcome(ProbeResult.failing(detail), Optional.empty());
    }
}
