package dev.stigmer.supervision;

import dev.stigmer.process.Ownership;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.process.ProcessTree;
import dev.stigmer.supervision.ComponentSpec.Endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Makes a component's ports ours to take before a start: a leftover of the component holding one
 * is killed; anything else listening there is named, and left alone. Blocking (it may wait for a
 * killed leftover to let go): the supervisor runs it on a worker, and only when a bind test
 * found a port busy.
 */
final class PortClaim {
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(3);
    private static final long POLL_MILLIS = 20;

    private PortClaim() {
    }

    /** Empty when every port is free now; else one line saying who holds which port. */
    static Optional<String> claim(ComponentSpec spec, Ownership ownership, List<Endpoint> busy) {
        for (Endpoint endpoint : busy) {
            Optional<String> problem = claim(spec, ownership, endpoint);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    /** "port P is in use by pid N (cmd)": what a start that cannot have the port tells its user. */
    static String inUse(ComponentSpec spec, Endpoint endpoint, Optional<ProcessIdentity> holder) {
        boolean service = spec.service().map(endpoint::equals).orElse(false);
        return "port " + endpoint.port() + " is in use by " + holder.map(ProcessIdentity::describe).orElse("another process")
                + (service ? "" : "; " + spec.name() + "'s " + endpoint.purpose() + " needs it")
                + "; stop it or choose another port";
    }

    private static Optional<String> claim(ComponentSpec spec, Ownership ownership, Endpoint endpoint) {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        while (!PortOwner.isFree(endpoint.address())) {
            Optional<ProcessIdentity> holder = PortOwner.listenerOf(endpoint.port());
            if (holder.isPresent() && ownership.marks(holder.get().pid())) {
                new ProcessTree(ownership, holder).killNow();
            } else if (holder.isPresent() || System.nanoTime() > deadline) {
                return Optional.of(inUse(spec, endpoint, holder));
            }
            if (System.nanoTime() > deadline) {
                return Optional.of("port " + endpoint.port() + " is still held by our previous " + spec.name()
                        + " process " + holder.map(ProcessIdentity::describe).orElse(""));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted while waiting for port " + endpoint.port());
            }
        }
        return Optional.empty();
    }
}
