package dev.stigmer.control;

import java.util.List;

/**
 * The daemon's answer. {@code error} is one line for the user; {@code kind} says what to do about
 * it. {@code changes}: what a START did to the running stack, one line each ("api: changed,
 * replaced").
 */
public record ControlResponse(boolean ok, ErrorKind kind, String error, StatusReport status, List<String> changes) {

    public enum ErrorKind {
        /** The running instance has other settings: suggest restart. */
        CONFLICT,
        /** The daemon is shutting down: wait for it to go, then start a new one. */
        SHUTTING_DOWN,
        BAD_REQUEST,
        /** The client runs as another user than the daemon (SO_PEERCRED). */
        FORBIDDEN,
        /** The daemon runs another stack file's stack: name it, suggest another home. */
        ANOTHER_STACK,
        /** The daemon failed at something it should have done: see its log. */
        INTERNAL
    }

    public ControlResponse {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public ControlResponse(boolean ok, ErrorKind kind, String error, StatusReport status) {
        this(ok, kind, error, status, List.of());
    }

    public static ControlResponse ok(StatusReport status) {
        return new ControlResponse(true, null, null, status, List.of());
    }

    public static ControlResponse ok(StatusReport status, List<String> changes) {
        return new ControlResponse(true, null, null, status, changes);
    }

    public static ControlResponse error(ErrorKind kind, String message) {
        return new ControlResponse(false, kind, message, null, List.of());
    }
}
