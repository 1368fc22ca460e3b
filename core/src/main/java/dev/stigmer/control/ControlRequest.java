package dev.stigmer.control;

/** One request on the control socket: a JSON line. {@code settings} only for START. */
public record ControlRequest(Command command, LocalSettings settings) {

    public enum Command { PING, STATUS, START, STOP }

    public static ControlRequest of(Command command) {
        return new ControlRequest(command, null);
    }
}
