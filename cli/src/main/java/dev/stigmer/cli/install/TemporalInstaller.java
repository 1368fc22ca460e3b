package dev.stigmer.cli.install;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Installs a temporal CLI release as {@code BIN/temporal}: checksums.txt first (and the pin, for
 * the default version, before a byte of the archive is fetched), then the archive into a temporary
 * file beside the target while its SHA-256 is computed, then `temporal` out of it into another
 * temporary file (0755, synced), which must answer `--version` before it is renamed over the
 * target. Until that rename nothing a user runs has changed; after it, the new binary is whole.
 */
public final class TemporalInstaller {
    private static final long MAX_CHECKSUMS_BYTES = 1 << 20;
    // The 1.9.1 archive is ~45 MB and its binary ~156 MB: room to grow, not to fill a disk.
    private static final long MAX_ARCHIVE_BYTES = 512L << 20;
    private static final long MAX_BINARY_BYTES = 1L << 30;
    static final String BINARY = "temporal";

    /** Where releases come from and how long a connect and a silence may last. */
    public record Settings(URI base, Duration connectTimeout, Duration stallTimeout) {
    }

    /** What an install did. */
    public sealed interface Outcome {
        Path binary();

        /** The binary's own `--version` line. */
        String versionLine();

        record AlreadyInstalled(Path binary, String versionLine) implements Outcome {
        }

        /** @param pinned whether the digest was also checked against stigmer's own pin */
        record Installed(Path binary, String versionLine, String sha256, boolean pinned) implements Outcome {
        }
    }

    private final Path binDir;
    private final Settings settings;
    private final PrintStream out;
    private final boolean terminal;
    private final String userAgent;

    public TemporalInstaller(Path binDir, Settings settings, PrintStream out, boolean terminal, String userAgent) {
        this.binDir = binDir;
        this.settings = settings;
        this.out = out;
        this.terminal = terminal;
        this.userAgent = userAgent;
    }

    public Path target() {
        return binDir.resolve(BINARY);
    }

    public Outcome install(TemporalRelease release, boolean force) throws InstallException {
        Path target = target();
        if (!force && Files.isRegularFile(target) && Files.isExecutable(target)) {
            VersionProbe.Answer installed = VersionProbe.ask(target);
            if (installed.ok() && installed.version().filter(release.version()::equals).isPresent()) {
                return new Outcome.AlreadyInstalled(target, installed.firstLine());
            }
        }
        try (Downloader downloader = new Downloader(settings.connectTimeout(), settings.stallTimeout(), userAgent)) {
            URI checksumsUri = release.checksumsUri(settings.base());
            String noRelease = "is there a release v" + release.version() + "? (see --version)";
            String checksums = downloader.text(checksumsUri, MAX_CHECKSUMS_BYTES, noRelease);
            String expected = Checksums.digestOf(checksums, release.asset(), "checksums.txt of v" + release.version()
                    + " (" + checksumsUri + ")");
            Optional<String> pinned = PinnedDigests.of(release);
            if (pinned.isPresent() && !pinned.get().equals(expected)) {
                throw new InstallException(checksumsUri + " gives sha256 " + expected + " for " + release.asset()
                        + ", but stigmer pins " + pinned.get() + " for it: this is not the release stigmer knows; refusing to install");
            }
            createBinDir();
            Path archive = temporary(".temporal_cli-", ".tar.gz.part");
            Path binary = null;
            try {
                String actual = download(downloader, release, archive);
                if (!actual.equals(expected)) {
                    throw new InstallException("sha256 mismatch for " + release.asset() + ": downloaded " + actual + ", checksums.txt says "
                            + expected + ": the download is corrupt or was tampered with; nothing was installed");
                }
                if (pinned.isPresent() && !pinned.get().equals(actual)) { // the same as above; said again where it counts
                    throw new InstallException("sha256 mismatch for " + release.asset() + ": downloaded " + actual
                            + ", stigmer pins " + pinned.get() + "; nothing was installed");
                }
                binary = temporary(".temporal-", ".new");
                ArchiveMember.extract(archive, release.asset(), BINARY, binary, MAX_BINARY_BYTES);
                Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
                VersionProbe.Answer answer = VersionProbe.ask(binary);
                if (!answer.ok()) {
                    throw new InstallException("the temporal of " + release.asset() + " does not run here (`temporal --version`: "
                            + answer.problem() + "); nothing was installed");
                }
                Files.move(binary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                binary = null;
                // From here on the new binary is in place: a failure must not say "nothing was installed".
                try {
                    syncDirectory();
                } catch (IOException e) {
                    throw new InstallException("installed " + target + ", but syncing " + binDir + " failed ("
                            + InstallException.describe(e) + "): a crash now could lose it; run `stigmer temporal install` again to be sure", e);
                }
                return new Outcome.Installed(target, VersionProbe.ask(target).firstLine(), actual, pinned.isPresent());
            } catch (IOException e) {
                throw new InstallException("cannot write " + binDir + ": " + InstallException.describe(e) + "; nothing was installed", e);
            } finally {
                deleteQuietly(archive);
                deleteQuietly(binary);
            }
        }
    }

    /** Downloads the archive into {@code archive} (synced) and returns its SHA-256. */
    private String download(Downloader downloader, TemporalRelease release, Path archive) throws InstallException, IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream sink = new DigestOutputStream(new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 65536), sha256);
            downloader.get(release.archiveUri(settings.base()), MAX_ARCHIVE_BYTES, sink, new DownloadProgress(out, terminal),
                    "is there a release v" + release.version() + " for linux/" + release.arch() + "? (see --version)");
            sink.flush();
            channel.force(true);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private void createBinDir() throws InstallException {
        try {
            if (!Files.isDirectory(binDir)) {
                Files.createDirectories(binDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new InstallException("cannot create " + binDir + ": " + InstallException.describe(e), e);
        }
    }

    /** A new empty file in the target's directory, so the final rename stays on one file system. */
    private Path temporary(String prefix, String suffix) throws InstallException {
        try {
            Path file = Files.createTempFile(binDir, prefix, suffix);
            file.toFile().deleteOnExit(); // also when Ctrl-C ends the download; a finally block deletes it otherwise
            return file;
        } catch (IOException e) {
            throw new InstallException("cannot write " + binDir + ": " + InstallException.describe(e), e);
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(binDir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file with a dot name; the next install makes its own
            }
        }
    }
}
