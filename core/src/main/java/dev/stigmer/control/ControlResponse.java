package dev.stigmer.control;

import java.util.List;
import java.util.Map;

/**
 * The daemon's answer. {@code error} is one line for the user; {@code kind} says what to do about
 * it. {@code changes}: what a START did to the running stack, one line each ("api: changed,
 * replaced").
 *
 * @param targets  the members a START or RESTART wants, with what they depend on: what its caller
 *                 waits for (the daemon computes the closure, not the CLI)
 * @param sequence the daemon's count of requests that changed what is wanted, when it answered: a
 *                 caller compares it with {@code stops}
 * @param stops    per member, the {@code sequence} of the last STOP that stopped it: a wait that
 *                 began before it ends, since a stop was asked for
 */
public record ControlResponse(boolean ok, ErrorKind kind, String error, StatusReport status, List<String> changes,
                              List<String> targets, long sequence, Map<String, Long> stops) {

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
        targets = targets == null ? List.of() : List.copyOf(targets);
        stops = stops == null ? Map.of() : Map.copyOf(stops);
    }

    public ControlResponse(boolean ok, ErrorKind kind, String error, StatusReport status, List<String> changes) {
        this(ok, kind, error, status, changes, List.of(), 0, Map.of());
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

    /** The same answer with the stack's request bookkeeping (see the record's parameters). */
    public ControlResponse with(List<String> targets, long sequence, Map<String, Long> stops) {
        return new ControlResponse(ok, kind, error, status, changes, targets, sequence, stops);
    }

    /** True when a STOP asked after {@code since} stopped one of {@code members}. */
    public java.util.Optional<String> stoppedSince(long since, java.util.Collection<String> members) {
        return members.stream().filter(name -> stops.getOrDefault(name, 0L) > since).findFirst();
    }
}
