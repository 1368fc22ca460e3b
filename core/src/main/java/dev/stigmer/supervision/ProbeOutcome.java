package dev.stigmer.supervision;

import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.probe.HealthProbe;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.supervision.ComponentSpec.Endpoint;
import dev.stigmer.probe.HealthProbe.ProbeResult;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A health check whose answer counts only if it came from the component's own listener: a
 * process of ours that failed to bind stays alive while another server on the port (another
 * home's, say) answers the probe. After a passing probe, the socket listening on the service
 * port must belong to the component's process or one of its descendants.
 *
 * @param foreignListener set when someone else listens on the service port: why our component
 *                        cannot be the one serving there
 */
public record ProbeOutcome(ProbeResult result, Optional<String> foreignListener) {

    /** What the probe said, with nothing more to it. */
    public static ProbeOutcome of(ProbeResult result) {
        return new ProbeOutcome(result, Optional.empty());
    }

    /**
     * Blocking: runs {@code schedule}'s probe (up to {@code timeout}) and, when it asked a port of
     * the component's own, looks at who listens there.
     */
    static ProbeOutcome check(ComponentSpec spec, ProbeSchedule schedule, long pid, Duration timeout) {
        ProbeResult result = schedule.probe().check(timeout);
        OptionalInt asked = schedule.probe().port();
        if (!result.healthy() || asked.isEmpty() || !spec.owns(asked.getAsInt())) {
            return new ProbeOutcome(result, Optional.empty());
        }
        int port = asked.getAsInt();
        Endpoint endpoint = spec.endpoints().stream().filter(e -> e.port() == port).findFirst().orElseThrow();
        return switch (PortOwner.whoListens(port, pid)) {
            // UNKNOWN: /proc/net is hidden here; the probe is all there is to go by.
            case OURS, UNKNOWN -> new ProbeOutcome(result, Optional.empty());
            case NOBODY -> new ProbeOutcome(ProbeResult.failing("port " + port
                    + " answered, but nothing listens there any more"), Optional.empty());
            case FOREIGN -> {
                Optional<ProcessIdentity> holder = PortOwner.listenerOf(port);
                yield new ProbeOutcome(ProbeResult.failing("port " + port + " answers, but from "
                        + holder.map(ProcessIdentity::describe).orElse("another process") + ", not from pid " + pid
                        + " or its children"), Optional.of(PortClaim.inUse(spec, endpoint, holder)));
            }
        };
    }

    static ProbeOutcome failed(String detail) {
        return new ProbeOutcome(ProbeResult.failing(detail), Optional.empty());
    }
}
