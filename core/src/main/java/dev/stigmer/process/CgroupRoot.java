package dev.stigmer.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a home's runs get cgroups (v2): below this process's own cgroup, in
 * {@code stigmer-<hash of the home>/<component>/<run>}. That works as root, and for a user inside
 * a systemd-delegated cgroup (`systemd-run --user --scope -p Delegate=yes`); elsewhere no cgroup
 * can be made, and the note says so (status: degraded) while process groups, sessions and
 * environment marks do what they can. Checked once per home; {@value #OFF_VARIABLE}=1 turns
 * cgroups off (for tests of the degraded path).
 *
 * @param base    the home's cgroup directory, or null when none can be made
 * @param problem why none can be made, or null
 */
public record CgroupRoot(Path base, String problem) {
    public static final String OFF_VARIABLE = "STIGMER_NO_CGROUPS";
    private static final Map<Path, CgroupRoot> CHECKED = new ConcurrentHashMap<>();

    /** The cgroup root of {@code home}, found (and its directory made) on first use. */
    public static CgroupRoot of(Path home) {
        return CHECKED.computeIfAbsent(home, h -> find(h, System.getenv()));
    }

    /** Like {@link #of}, looked up afresh with {@code env}, nothing cached. */
    public static CgroupRoot find(Path home, Map<String, String> env) {
        if ("1".equals(env.get(OFF_VARIABLE))) {
            return new CgroupRoot(null, OFF_VARIABLE + "=1");
        }
        Optional<Path> mount = unifiedMount();
        if (mount.isEmpty()) {
            return new CgroupRoot(null, "no cgroup2 file system is mounted");
        }
        Optional<String> own = ownCgroup();
        if (own.isEmpty()) {
            return new CgroupRoot(null, "this process is in no cgroup v2 (/proc/self/cgroup has no 0:: line)");
        }
        Path base = mount.get().resolve(own.get().substring(1)).resolve("stigmer-" + hash(home));
        try {
            Files.createDirectories(base);
            return new CgroupRoot(base, null);
        } catch (IOException e) {
            return new CgroupRoot(null, "cannot create " + base + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    public boolean available() {
        return base != null;
    }

    /** One line for status when no cgroup can be made; empty when cgroups are used. */
    public Optional<String> degradedNote() {
        if (available()) {
            return Optional.empty();
        }
        return Optional.of("no cgroups (" + problem + "; as a user they need a systemd-delegated cgroup): "
                + "a process that leaves its session and drops its environment (env -i setsid ...) can outlive a stop");
    }

    /** A new, empty cgroup for a run of {@code component}; empty when none can be made. */
    public Optional<RunCgroup> newRun(String component) {
        if (!available()) {
            return Optional.empty();
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Path dir = base.resolve(component).resolve(Long.toHexString(ThreadLocalRandom.current().nextLong()));
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir);
                return Optional.of(new RunCgroup(dir));
            } catch (FileAlreadyExistsException | NoSuchFileException e) {
                // another run's name, or an empty parent removed meanwhile: again
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The cgroup a record names, if it is one of {@code component}'s and still there. */
    public Optional<RunCgroup> run(String component, String name) {
        if (!available() || name == null || name.contains("/") || name.startsWith(".")) {
            return Optional.empty();
        }
        Path dir = base.resolve(component).resolve(name);
        return Files.isDirectory(dir) ? Optional.of(new RunCgroup(dir)) : Optional.empty();
    }

    /**
     * The run cgroup of {@code component} that holds {@code pid} now, from /proc/PID/cgroup: for a
     * process adopted without its record, whose run's cgroup must be kept, not killed as an old one.
     */
    public Optional<RunCgroup> runOf(String component, long pid) {
        if (!available()) {
            return Optional.empty();
        }
        return unifiedCgroup(Long.toString(pid)).map(Path::of)
                // .../stigmer-<hash>/<component>/<run>: this home's (the hash) and this component's.
                .filter(cgroup -> cgroup.getNameCount() >= 3 && cgroup.getParent().getFileName().toString().equals(component)
                        && cgroup.getParent().getParent().getFileName().equals(base.getFileName()))
                .flatMap(cgroup -> run(component, cgroup.getFileName().toString()));
    }

    /** Every cgroup of {@code component}'s runs that is still there. */
    public List<RunCgroup> runs(String component) {
        List<RunCgroup> runs = new ArrayList<>();
        if (!available()) {
            return runs;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base.resolve(component), Files::isDirectory)) {
            dirs.forEach(dir -> runs.add(new RunCgroup(dir)));
        } catch (IOException e) {
            // none yet
        }
        return runs;
    }

    /** The components that have a cgroup directory here (their runs' parent), in no order. */
    public List<String> components() {
        List<String> names = new ArrayList<>();
        if (!available()) {
            return names;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, Files::isDirectory)) {
            dirs.forEach(dir -> names.add(dir.getFileName().toString()));
        } catch (IOException e) {
            // gone meanwhile: none
        }
        return names;
    }

    /**
     * Ends {@code component} here: every run's cgroup killed and removed (each waiting up to
     * {@code waitMillis} for its members), then the component's directory. For a component that is
     * no longer anyone's: what is left in its cgroups escaped its stop, or outlived its daemon.
     */
    public void removeComponent(String component, long waitMillis) {
        runs(component).forEach(run -> run.killAndRemove(waitMillis));
        try {
            Files.deleteIfExists(base.resolve(component));
        } catch (IOException e) {
            // a run made meanwhile, or already gone: the next sweep
        }
    }

    private static Optional<Path> unifiedMount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ")) {
                    return Optional.of(Path.of(line.substring(0, dash).split(" ")[4]));
                }
            }
        } catch (IOException e) {
            // no /proc: no cgroups either
        }
        return Optional.empty();
    }

    private static Optional<String> ownCgroup() {
        return unifiedCgroup("self");
    }

    /** The cgroup v2 path of process {@code pid} ("self" for this one), from /proc/PID/cgroup; empty when gone or none. */
    private static Optional<String> unifiedCgroup(String pid) {
        try {
            return Files.readAllLines(Path.of("/proc", pid, "cgroup")).stream()
                    .filter(line -> line.startsWith("0::/")).map(line -> line.substring(3)).findFirst();
        } catch (IOException e) {
            return Optional.empty(); // gone meanwhile, or no /proc
        }
    }

    private static String hash(Path home) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(home.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
