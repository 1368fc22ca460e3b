package dev.stigmer.control;

/** The daemon's answer. {@code error} is one line for the user; {@code kind} says what to do about it. */
public record ControlResponse(boolean ok, ErrorKind kind, String error, StatusReport status) {

    public enum ErrorKind {
        /** The running instance has other settings: suggest restart. */
        CONFLICT,
        /** The daemon is shutting down: wait for it to go, then start a new one. */
        SHUTTING_DOWN,
        BAD_REQUEST,
        /** The client runs as another user than the daemon (SO_PEERCRED). */
        FORBIDDEN
    }

    public static ControlResponse ok(StatusReport status) {
        return new ControlResponse(true, null, null, status);
    }

    public static ControlResponse error(ErrorKind kind, String message) {
        return new ControlResponse(false, kind, message, null);
    }
}
