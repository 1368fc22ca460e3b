package dev.stigmer.probe;

import java.util.List;

/**
 * One probe's mapping in the stack file, as a probe definition reads it: values with variables
 * substituted, and errors that point at the right place ({@code E}: the file's one-line error
 * with FILE:LINE:COLUMN).
 */
public interface ProbeFields<E extends Exception> {
    /** What the probe is, for messages: "service api ready". */
    String what();

    /** True under {@code ready:}, false under {@code health:}. */
    boolean readiness();

    boolean has(String key);

    String string(String key) throws E;

    /** A command: a string runs through /bin/sh -c, a list is exec'd as is. */
    List<String> command(String key) throws E;

    /** A duration in the one grammar (500ms, 5s, 2m, 1h). */
    long millis(String key) throws E;

    /** A whole number of at least 1. */
    int positive(String key) throws E;

    /** An error at {@code key}'s value (null: at the probe's mapping). */
    E invalid(String key, String message);

    /** An error at {@code key} itself. */
    E invalidKey(String key, String message);
}
