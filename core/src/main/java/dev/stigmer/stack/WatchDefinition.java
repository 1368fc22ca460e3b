package dev.stigmer.stack;

import java.util.List;

/**
 * A service's {@code watch:}, resolved: a change under {@code paths} that no ignore pattern
 * matches, quiet for {@code debounceMillis}, runs {@code rebuild} (if any) and then replaces the
 * service.
 *
 * @param base     the stack file's directory: ignore patterns with a '/' are relative to it
 * @param paths    absolute; each existed when the file was read. A path with a glob is written
 *                 here as its directory part, the glob kept in {@code include}
 * @param include  per path, the glob (relative to that path) a changed file must match; "" for all
 * @param ignore   the user's patterns, added to {@link #DEFAULT_IGNORES}
 * @param rebuild  the argv to run first (a string in the file becomes /bin/sh -c STRING); empty: none
 */
public record WatchDefinition(String base, List<String> paths, List<String> include, List<String> ignore,
                              List<String> rebuild, long debounceMillis) {
    /** Directory names never watched: tools' metadata and build output (a service's own writes there never trigger it). */
    public static final List<String> DEFAULT_IGNORES = List.of(".git", "node_modules", "build", "target", "dist",
            "__pycache__", ".idea", ".venv");
    public static final long DEFAULT_DEBOUNCE_MILLIS = 300;

    public WatchDefinition {
        paths = List.copyOf(paths);
        include = List.copyOf(include);
        ignore = List.copyOf(ignore);
        rebuild = rebuild == null ? List.of() : List.copyOf(rebuild);
        if (include.size() != paths.size()) {
            throw new IllegalArgumentException("one include glob per path");
        }
    }
}
