package dev.stigmer.state;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where everything of one installation lives: state, logs, locks and the control socket.
 * <pre>
 * $STIGMER_HOME/            0700 when we create it; an existing directory keeps its mode
 *   run/                    0700 always: daemon.lock, start.lock, daemon.sock, daemon.json, COMPONENT.json
 *   logs/                   0700  daemon.log, COMPONENT.log (0600, + rotated .1 .. .N)
 *   temporal-data/          0700  temporal.db (real Temporal CLI only)
 * </pre>
 * Only run/ is made private when it exists with another mode: the home may be a directory the
 * user made and chose a mode for. A home others can write to gets a {@link #permissionWarning()}.
 */
public record StigmerHome(Path root) {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    public StigmerHome {
        root = canonical(root.toAbsolutePath().normalize());
    }

    /**
     * The real path (symlinks resolved), as far as it exists: the same home reached through a
     * symlink and through its real path must be one home everywhere, ownership marks included.
     */
    private static Path canonical(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path));
        } catch (IOException e) {
            return path;
        }
    }

    /** {@code STIGMER_HOME} when set and not blank, else ~/.stigmer. */
    public static StigmerHome fromEnvironment() {
        String configured = System.getenv("STIGMER_HOME");
        if (configured != null && !configured.isBlank()) {
            return new StigmerHome(Path.of(configured));
        }
        return new StigmerHome(Path.of(System.getProperty("user.home"), ".stigmer"));
    }

    public Path runDir() {
        return root.resolve("run");
    }

    public Path logsDir() {
        return root.resolve("logs");
    }

    public Path socket() {
        return runDir().resolve("daemon.sock");
    }

    /** Held by the daemon for its whole life: the single-instance guarantee. */
    public Path daemonLock() {
        return runDir().resolve("daemon.lock");
    }

    /** Held briefly by a CLI while it spawns a daemon, so concurrent starts spawn one. */
    public Path startLock() {
        return runDir().resolve("start.lock");
    }

    public Path daemonRecord() {
        return runDir().resolve("daemon.json");
    }

    /** run/stack.json: each member's stop signal, grace and dependencies, for stopping what a dead daemon left. */
    public Path stackRecord() {
        return runDir().resolve("stack.json");
    }

    public Path componentRecord(String component) {
        return runDir().resolve(component + ".json");
    }

    public Path logFile(String name) {
        return logsDir().resolve(name + ".log");
    }

    public Path dataDir(String component) {
        return root.resolve(component + "-data");
    }

    /** The component's data directory, created 0700 if missing. */
    public Path ensureDataDir(String component) throws IOException {
        Path dir = dataDir(component);
        createIfMissing(dir);
        return dir;
    }

    /**
     * One line for the user when others can write to the home (its mode is theirs to fix, not
     * ours); empty when only its owner can.
     */
    public Optional<String> permissionWarning() {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(root);
            String who = mode.contains(PosixFilePermission.OTHERS_WRITE) ? "others"
                    : mode.contains(PosixFilePermission.GROUP_WRITE) ? "its group" : null;
            return Optional.ofNullable(who).map(w -> "STIGMER_HOME " + root + " is writable by " + w + " ("
                    + PosixFilePermissions.toString(mode) + "), who could tamper with stigmer's state; `chmod go-w "
                    + root + "` fixes it");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Creates the layout (a new home, run/ and logs/ private to the user) and proves it is
     * writable.
     *
     * @throws HomeException with a message fit for the user
     */
    public StigmerHome ensureCreated() throws HomeException {
        try {
            createIfMissing(root);
            createPrivate(runDir());
            createIfMissing(logsDir());
            // access(2), not a probe file: as cheap as a stat, and it sees read-only mounts too.
            for (Path dir : List.of(runDir(), logsDir())) {
                if (!Files.isWritable(dir)) {
                    throw new AccessDeniedException(dir.toString());
                }
            }
            return this;
        } catch (AccessDeniedException e) {
            throw new HomeException("STIGMER_HOME " + root + " is not writable (" + e.getFile()
                    + "): fix its permissions or set STIGMER_HOME to a directory you own");
        } catch (FileSystemException e) {
            throw new HomeException("STIGMER_HOME " + root + " cannot be used: " + reason(e)
                    + "; set STIGMER_HOME to a writable directory");
        } catch (IOException e) {
            throw new HomeException("STIGMER_HOME " + root + " cannot be used: " + e.getMessage());
        }
    }

    /** 0700 (and so are the parents it creates) if missing; an existing directory is left as it is. */
    private static void createIfMissing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        }
    }

    /** 0700, whatever it was: for run/, which holds the socket and the locks. */
    private static void createPrivate(Path dir) throws IOException {
        createIfMissing(dir);
        if (!Files.getPosixFilePermissions(dir).equals(PRIVATE)) {
            Files.setPosixFilePermissions(dir, PRIVATE);
        }
    }

    private static String reason(FileSystemException e) {
        // Without a reason, the exception's class name is all there is: say it in words instead.
        String reason = e.getReason() != null ? e.getReason()
                : e instanceof NoSuchFileException ? "no such directory, and it cannot be created there"
                : e instanceof FileAlreadyExistsException ? "exists and is not a directory"
                : "cannot be created or written";
        return (e.getFile() == null ? "" : e.getFile() + ": ") + reason;
    }

    /** The home cannot be created or written; the message says what to do. */
    public static final class HomeException extends Exception {
        public HomeException(String message) {
            super(message);
        }
    }
}
