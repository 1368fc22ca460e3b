package dev.stigmer.control;

import java.util.List;

/**
 * One request on the control socket: a JSON line.
 *
 * @param settings Temporal's settings (START and RESTART)
 * @param stack    the stack file's services as the CLI resolved them (START and RESTART); null
 *                 when there is no stack file: Temporal alone, and a running stack is left as it is
 * @param names    the components the command is about; empty: all of them (STOP: and the daemon)
 */
public record ControlRequest(Command command, LocalSettings settings, StackRequest stack, List<String> names) {

    /** EVENTS is answered by an ok line, then one StackEvent JSON line per event until the client closes. */
    public enum Command { PING, STATUS, START, STOP, RESTART, EVENTS }

    public ControlRequest {
        names = names == null ? List.of() : List.copyOf(names);
    }

    public ControlRequest(Command command, LocalSettings settings) {
        this(command, settings, null, List.of());
    }

    public static ControlRequest of(Command command) {
        return new ControlRequest(command, null, null, List.of());
    }
}
