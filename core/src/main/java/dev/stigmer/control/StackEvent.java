package dev.stigmer.control;

import dev.stigmer.supervision.ComponentState;

/**
 * One thing that happened to the stack, as `stigmer local events --json` prints it and the
 * dashboard's {@code /api/v1/events} streams it: a component's transition, or a change of the stack
 * itself (a member added, replaced or removed by a START).
 *
 * @param type      {@code transition} or {@code stack}
 * @param time      the daemon's wall clock, epoch milliseconds
 * @param component the member's name ({@code temporal} or a service)
 * @param from      the state before (transition only; null for the first snapshot of a member)
 * @param to        the state after (transition only)
 * @param pid       the process after the transition, when there is one
 * @param reason    why, in one line, when something explains this transition: an exit for what it caused, a
 *                  stop's or replacement's cause ("restart requested"), what a wait is on; null otherwise
 * @param change    {@code added}, {@code replaced} or {@code removed}, or {@code rebuild failed} (a watched
 *                  service's rebuild failed and it runs on as it was) (stack only)
 */
public record StackEvent(String type, long time, String component, ComponentState from, ComponentState to,
                         Long pid, String reason, String change) {

    public static final String TRANSITION = "transition";
    public static final String STACK = "stack";

    public static StackEvent transition(long time, String component, ComponentState from, ComponentState to,
                                        Long pid, String reason) {
        return new StackEvent(TRANSITION, time, component, from, to, pid, reason, null);
    }

    public static StackEvent stackChange(long time, String component, String change) {
        return new StackEvent(STACK, time, component, null, null, null, null, change);
    }
}
