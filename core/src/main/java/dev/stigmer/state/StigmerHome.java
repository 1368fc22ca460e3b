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
import java.util.Set;

/**
 * Where everything of one installation lives: state, logs, locks and the control socket.
 * <pre>
 * $STIGMER_HOME/            0700
 *   run/                    0700  daemon.lock, start.lock, daemon.sock, daemon.json, COMPONENT.json
 *   logs/                         daemon.log, COMPONENT.log (+ rotated .1 .. .N)
 *   temporal-data/                temporal.db (real Temporal CLI only)
 * </pre>
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

    public Path componentRecord(String component) {
        return runDir().resolve(component + ".json");
    }

    public Path logFile(String name) {
        return logsDir().resolve(name + ".log");
    }

    public Path dataDir(String component) {
        return root.resolve(component + "-data");
    }

    /**
     * Creates the layout (home and run/ private to the user) and proves it is writable.
     *
     * @throws HomeException with a message fit for the user
     */
    public StigmerHome ensureCreated() throws HomeException {
        try {
            createPrivate(root);
            createPrivate(runDir());
            Files.createDirectories(logsDir());
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

    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        }
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
