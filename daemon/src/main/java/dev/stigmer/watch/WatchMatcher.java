package dev.stigmer.watch;

import dev.stigmer.stack.WatchDefinition;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Which paths a {@link WatchDefinition} counts. Ignored: any path with a segment named like a
 * default ignore ({@code .git}, {@code node_modules}, {@code build}, ...) or matching a user
 * pattern: one without '/' matches any segment's name (as in .gitignore), one with '/' the path
 * relative to the stack file's directory ({@code **}{@code /} also matching at the top).
 */
public final class WatchMatcher {
    private final Path base;
    private final Path home; // never a change: the daemon's own logs and records (a home inside a watched tree)
    private final List<Path> roots = new ArrayList<>();
    private final List<PathMatcher> includes = new ArrayList<>(); // null: every file under that root
    private final List<PathMatcher> nameIgnores = new ArrayList<>();
    private final List<PathMatcher> pathIgnores = new ArrayList<>();

    public WatchMatcher(WatchDefinition definition, Path home) {
        FileSystem fs = FileSystems.getDefault();
        this.base = Path.of(definition.base());
        this.home = home.toAbsolutePath().normalize();
        for (int i = 0; i < definition.paths().size(); i++) {
            roots.add(Path.of(definition.paths().get(i)));
            String include = definition.include().get(i);
            includes.add(include.isEmpty() ? null : glob(fs, include));
        }
        for (String name : WatchDefinition.DEFAULT_IGNORES) {
            nameIgnores.add(fs.getPathMatcher("glob:" + name));
        }
        for (String pattern : definition.ignore()) {
            (pattern.contains("/") ? pathIgnores : nameIgnores).add(glob(fs, pattern));
        }
    }

    /** {@code **}{@code /X} also matches X at the top, as people mean it. */
    private static PathMatcher glob(FileSystem fs, String pattern) {
        PathMatcher matcher = fs.getPathMatcher("glob:" + pattern);
        if (!pattern.startsWith("**/")) {
            return matcher;
        }
        PathMatcher top = fs.getPathMatcher("glob:" + pattern.substring(3));
        return path -> matcher.matches(path) || top.matches(path);
    }

    public List<Path> roots() {
        return List.copyOf(roots);
    }

    /** True when {@code path} is a watched root or under one, and not ignored (a directory may be). */
    public boolean covers(Path path) {
        for (Path root : roots) {
            if (path.startsWith(root) && !ignored(root, path)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code directory} holds a root: it is watched to see the root deleted and made again. */
    public boolean isParentOfRoot(Path directory) {
        return roots.stream().anyMatch(root -> directory.equals(root.getParent()));
    }

    /** True when a change of {@code path} counts: under a root, matching its glob, not ignored. */
    public boolean accepts(Path path) {
        for (int i = 0; i < roots.size(); i++) {
            Path root = roots.get(i);
            if (!path.startsWith(root) || ignored(root, path)) {
                continue;
            }
            PathMatcher include = includes.get(i);
            if (include == null || (!path.equals(root) && include.matches(root.relativize(path)))) {
                return true;
            }
        }
        return false;
    }

    /** Ignored below {@code root}: a root named explicitly is watched even if its own name is ignored. */
    private boolean ignored(Path root, Path path) {
        if (path.startsWith(home)) {
            return true; // else each line a service logs would replace it
        }
        for (Path segment : root.relativize(path)) {
            for (PathMatcher name : nameIgnores) {
                if (name.matches(segment)) {
                    return true;
                }
            }
        }
        if (!pathIgnores.isEmpty() && path.startsWith(base)) {
            Path relative = base.relativize(path);
            for (PathMatcher pattern : pathIgnores) {
                if (pattern.matches(relative)) {
                    return true;
                }
            }
        }
        return false;
    }
}
