package dev.stigmer.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `stigmer temporal install` against a release mirror the test runs on 127.0.0.1 (the real
 * download URL is only reachable through the same code with another base URL): the archive holds a
 * stand-in `temporal` that answers --version and serves the embedded Temporal. Every way a
 * download goes wrong ends with one line, a non-zero exit, and the binary installed before it
 * byte for byte as it was.
 */
@ExtendWith(StackExtension.class)
class TemporalInstallTest {
    private static final String VERSION = "1.7.0";
    private static final String PINNED_VERSION = "1.9.1";
    private static final String PREVIOUS = "#!/bin/sh\necho 'temporal version 0.9.0 (installed before the test)'\n";

    private ReleaseMirror mirror;

    @BeforeEach
    void startMirror() throws IOException {
        mirror = new ReleaseMirror();
    }

    @AfterEach
    void stopMirror() {
        mirror.close();
    }

    private void useMirror(Stack stack, String base) {
        stack.env.put("STIGMER_TEMPORAL_DOWNLOAD_URL", base);
        stack.env.put("STIGMER_DOWNLOAD_CONNECT_TIMEOUT", "2s");
        stack.env.put("STIGMER_DOWNLOAD_STALL_TIMEOUT", "1s");
    }

    private static byte[] release(Stack stack, String version) throws Exception {
        return ReleaseMirror.archive(stack.home.getParent(), StandIns.releaseBinary(version, stack.home.resolveSibling("args.txt")));
    }

    private static Path installed(Stack stack) {
        return stack.home.resolve("bin/temporal");
    }

    /** Puts a binary where the install goes, as an earlier install would have. */
    private static byte[] installPrevious(Stack stack) throws IOException {
        Path bin = installed(stack);
        Files.createDirectories(bin.getParent());
        Files.writeString(bin, PREVIOUS);
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.readAllBytes(bin);
    }

    /** One line on stderr saying {@code what}, no Java internals, exit 1, and the previous binary as it was. */
    private static void assertRefused(Stack stack, CliResult result, byte[] previous, String what) throws IOException {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.errorLines()).as(result.toString()).hasSize(1);
        assertThat(result.errorLines().getFirst()).startsWith("stigmer: ").contains(what);
        assertThat(result.showsJavaInternals()).as(result.toString()).isFalse();
        assertThat(Files.readAllBytes(installed(stack))).as("the previous binary, byte for byte").isEqualTo(previous);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(installed(stack)))).isEqualTo("rwxr-xr-x");
        assertNoTemporaryFiles(stack);
    }

    private static void assertNoTemporaryFiles(Stack stack) throws IOException {
        try (Stream<Path> files = Files.list(installed(stack).getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("temporal");
        }
    }

    @Test
    void installsTheReleaseFromTheMirrorPrintsItsVersionAndStigmerLocalThenRunsIt(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] archive = release(stack, VERSION);
        mirror.release(VERSION, archive);

        CliResult install = stack.run("temporal", "install", "--version", VERSION);

        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.stdout()).contains("Installed " + installed(stack) + ": temporal version " + VERSION)
                .contains("Verified sha256 " + ReleaseMirror.sha256(archive))
                .contains("checked against checksums.txt alone")
                .contains("`stigmer local` runs it from now on");
        assertThat(mirror.requests).containsExactly(ReleaseMirror.checksumsPath(VERSION), ReleaseMirror.archivePath(VERSION));
        assertThat(Files.readString(installed(stack))).isEqualTo(StandIns.releaseBinary(VERSION, stack.home.resolveSibling("args.txt")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(installed(stack)))).isEqualTo("rwxr-xr-x");
        assertNoTemporaryFiles(stack);

        CliResult start = stack.start();
        assertThat(start.stdout()).contains("Temporal is running at " + stack.address() + " (cli").doesNotContain("keeps nothing");
        assertThat(stack.temporal().get("mode").getAsString()).isEqualTo("cli");
        assertThat(Files.readString(stack.home.resolveSibling("args.txt"))).contains("server start-dev --ip 127.0.0.1 --port " + stack.port);
        assertThat(Workflows.runGreeting(stack.address(), "installed")).isEqualTo("HELLO INSTALLED");
    }

    @Test
    void theInstalledVersionIsNotDownloadedAgainUnlessForced(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        mirror.release(VERSION, release(stack, VERSION));
        assertThat(stack.run("temporal", "install", "--version", "v" + VERSION).exitCode()).isZero();
        Object inode = Files.getAttribute(installed(stack), "unix:ino");
        mirror.requests.clear();

        CliResult again = stack.run("temporal", "install", "--version", VERSION);

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("Already installed: " + installed(stack)).contains("temporal version " + VERSION);
        assertThat(mirror.requests).as("nothing downloaded").isEmpty();
        assertThat(Files.getAttribute(installed(stack), "unix:ino")).isEqualTo(inode);

        CliResult forced = stack.run("temporal", "install", "--version", VERSION, "--force");

        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(forced.stdout()).contains("Installed " + installed(stack));
        assertThat(mirror.requests).containsExactly(ReleaseMirror.checksumsPath(VERSION), ReleaseMirror.archivePath(VERSION));
        assertThat(Files.getAttribute(installed(stack), "unix:ino")).as("a new file renamed into place").isNotEqualTo(inode);
    }

    @Test
    void anArchiveWhoseBytesAreNotTheOnesChecksumsTxtNamesIsRefused(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);
        byte[] archive = release(stack, VERSION);
        byte[] tampered = archive.clone();
        tampered[tampered.length / 2] ^= 0x01;
        mirror.checksums(VERSION, ReleaseMirror.sha256(archive)).serve(ReleaseMirror.archivePath(VERSION), tampered);

        CliResult install = stack.run("temporal", "install", "--version", VERSION);

        assertRefused(stack, install, previous, "sha256 mismatch for " + ReleaseMirror.asset(VERSION) + ": downloaded "
                + ReleaseMirror.sha256(tampered) + ", checksums.txt says " + ReleaseMirror.sha256(archive));
    }

    @Test
    void aChecksumsTxtWithoutTheArchiveOrWithAMalformedLineForItIsRefusedBeforeTheDownload(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);
        String asset = ReleaseMirror.asset(VERSION);
        mirror.serve(ReleaseMirror.archivePath(VERSION), release(stack, VERSION));

        mirror.text(ReleaseMirror.checksumsPath(VERSION), "0".repeat(64) + "  temporal_cli_" + VERSION + "_darwin_arm64.tar.gz\n");
        assertRefused(stack, stack.run("temporal", "install", "--version", VERSION), previous, "has no sha256 for " + asset);

        mirror.text(ReleaseMirror.checksumsPath(VERSION), "d41d8cd98f00b204e9800998ecf8427e  " + asset + "\n"); // an MD5
        assertRefused(stack, stack.run("temporal", "install", "--version", VERSION), previous, "malformed line for " + asset);

        assertThat(mirror.requests).as("the archive was never asked for").doesNotContain(ReleaseMirror.archivePath(VERSION));
    }

    @Test
    void aBodyCutShortOfItsContentLengthIsRefused(Stack stack) throws Exception {
        byte[] previous = installPrevious(stack);
        byte[] archive = release(stack, VERSION);
        String checksums = ReleaseMirror.sha256(archive) + "  " + ReleaseMirror.asset(VERSION) + "\n";
        try (CutShortServer server = new CutShortServer(Map.of(ReleaseMirror.checksumsPath(VERSION), checksums.getBytes()),
                ReleaseMirror.archivePath(VERSION), archive, archive.length / 2)) {
            useMirror(stack, server.base());

            CliResult install = stack.run("temporal", "install", "--version", VERSION);

            assertRefused(stack, install, previous, "was cut off after " + archive.length / 2 + " of " + archive.length + " bytes");
        }
    }

    @Test
    void aMissingReleaseOrArchiveIsA404NamingIt(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);

        CliResult noRelease = stack.run("temporal", "install", "--version", "9.9.9");
        assertRefused(stack, noRelease, previous, "not found (HTTP 404): " + mirror.base() + "/v9.9.9/checksums.txt; is there a release v9.9.9?");

        mirror.checksums(VERSION, "a".repeat(64));
        CliResult noArchive = stack.run("temporal", "install", "--version", VERSION);
        assertRefused(stack, noArchive, previous, "not found (HTTP 404): " + mirror.base() + ReleaseMirror.archivePath(VERSION));
        assertThat(noArchive.errorLines().getFirst()).contains("for linux/" + ReleaseMirror.ARCH);
    }

    @Test
    void redirectsToAnotherPathAreFollowed(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] archive = release(stack, VERSION);
        mirror.redirect(ReleaseMirror.checksumsPath(VERSION), "/cdn/checksums-blob") // relative, as a CDN may
                .text("/cdn/checksums-blob", "%s  %s%n".formatted(ReleaseMirror.sha256(archive), ReleaseMirror.asset(VERSION)))
                .redirect(ReleaseMirror.archivePath(VERSION), mirror.base() + "/cdn/archive-blob")
                .serve("/cdn/archive-blob", archive);

        CliResult install = stack.run("temporal", "install", "--version", VERSION);

        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(mirror.requests).containsExactly(ReleaseMirror.checksumsPath(VERSION), "/cdn/checksums-blob",
                ReleaseMirror.archivePath(VERSION), "/cdn/archive-blob");
        assertThat(install.stdout()).contains("temporal version " + VERSION);
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersIsLeftAfterTheStallTimeout(Stack stack) throws Exception {
        byte[] previous = installPrevious(stack);
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // kept open, never read, never answered
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            useMirror(stack, "http://127.0.0.1:" + silent.getLocalPort());

            CliResult install = stack.run("temporal", "install", "--version", VERSION);

            assertRefused(stack, install, previous, "127.0.0.1:" + silent.getLocalPort() + " did not answer the request for");
            assertThat(install.errorLines().getFirst()).contains("STIGMER_DOWNLOAD_STALL_TIMEOUT");
            assertThat(install.millis()).as("connect + stall timeouts, not for ever").isLessThan(20_000);
            assertThat(held).as("the server did accept").isNotEmpty();
            silent.close();
            acceptor.join();
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aDownloadThatStopsHalfWayIsLeftAfterTheStallTimeout(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);
        byte[] archive = release(stack, VERSION);
        mirror.checksums(VERSION, ReleaseMirror.sha256(archive))
                .stallingMidBody(ReleaseMirror.archivePath(VERSION), archive, archive.length / 2);

        CliResult install = stack.run("temporal", "install", "--version", VERSION);

        assertRefused(stack, install, previous, "stalled: nothing received for 1s after " + archive.length / 2 + " bytes");
        assertThat(install.millis()).isLessThan(20_000);
    }

    @Test
    void anUnreachableMirrorFailsAtOnceNamingIt(Stack stack) throws Exception {
        byte[] previous = installPrevious(stack);
        int closed = Stack.freePort();
        useMirror(stack, "http://127.0.0.1:" + closed);

        CliResult install = stack.run("temporal", "install", "--version", VERSION);

        assertRefused(stack, install, previous, "cannot connect to 127.0.0.1:" + closed);
        assertThat(install.errorLines().getFirst()).contains("STIGMER_TEMPORAL_DOWNLOAD_URL");
    }

    /** A listener whose accept queue is full drops new SYNs: a connect that never completes, as behind a black hole. */
    @Test
    void aConnectionThatIsNeverEstablishedEndsAtTheConnectTimeout(Stack stack) throws Exception {
        byte[] previous = installPrevious(stack);
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 8; i++) { // never accepted: the queue (backlog + 1) fills, then SYNs are dropped
                Socket filler = new Socket();
                try {
                    filler.connect(full.getLocalSocketAddress(), 300);
                    fillers.add(filler);
                } catch (IOException timedOut) {
                    filler.close();
                    break;
                }
            }
            useMirror(stack, "http://127.0.0.1:" + full.getLocalPort());
            stack.env.put("STIGMER_DOWNLOAD_CONNECT_TIMEOUT", "1s");
            stack.env.put("STIGMER_DOWNLOAD_STALL_TIMEOUT", "30s"); // so only the connect timeout can end it in time

            CliResult install = stack.run("temporal", "install", "--version", VERSION);

            assertRefused(stack, install, previous, "no connection to 127.0.0.1:" + full.getLocalPort() + " within 1s");
            assertThat(install.errorLines().getFirst()).contains("STIGMER_DOWNLOAD_CONNECT_TIMEOUT");
            assertThat(install.millis()).as("the connect timeout, not the stall timeout").isLessThan(15_000);
        } finally {
            for (Socket socket : fillers) {
                socket.close();
            }
        }
    }

    @Test
    void aCorruptArchiveOrOneWithoutTemporalIsRefusedEvenWhenItsChecksumMatches(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);
        byte[] notAnArchive = "this is not gzip at all, though checksums.txt vouches for it\n".repeat(100).getBytes();
        mirror.release(VERSION, notAnArchive);
        assertRefused(stack, stack.run("temporal", "install", "--version", VERSION), previous,
                ReleaseMirror.asset(VERSION) + " is not a valid tar.gz archive");

        byte[] archive = release(stack, VERSION);
        byte[] cut = java.util.Arrays.copyOf(archive, archive.length - 40); // gzip's end and trailer gone
        mirror.release(VERSION, cut);
        assertRefused(stack, stack.run("temporal", "install", "--version", VERSION), previous,
                ReleaseMirror.asset(VERSION) + " is not a valid tar.gz archive");

        byte[] badCrc = archive.clone(); // every tar record intact; only gzip's trailer (CRC-32, length) says otherwise
        badCrc[badCrc.length - 8] ^= 0x01;
        mirror.release(VERSION, badCrc);
        assertRefused(stack, stack.run("temporal", "install", "--version", VERSION), previous,
                ReleaseMirror.asset(VERSION) + " is not a valid tar.gz archive (Corrupt GZIP trailer)");

        Path dir = Files.createDirectories(stack.home.resolveSibling("no-temporal"));
        Files.writeString(dir.resolve("README.md"), "no binary here\n");
        mirror.release(VERSION, ReleaseMirror.tar(dir, "README.md"));
        assertRefused(stack, stack.run("temporal", "install", "--version", VERSION), previous,
                ReleaseMirror.asset(VERSION) + " has no `temporal` in it");
    }

    @Test
    void aBinaryThatDoesNotRunHereIsNotInstalled(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);
        mirror.release(VERSION, ReleaseMirror.archive(stack.home.getParent(), "\u007fELF not really a program\n"));

        CliResult install = stack.run("temporal", "install", "--version", VERSION);

        assertRefused(stack, install, previous, "does not run here");
    }

    /**
     * The default version's digest is pinned in stigmer: a mirror whose checksums.txt vouches for
     * other bytes is refused before the archive is fetched, and one whose checksums.txt gives the
     * pinned digest for other bytes is refused once they are in.
     */
    @Test
    void theDefaultVersionMustHaveThePinnedDigestWhateverTheMirrorsChecksumsSay(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] previous = installPrevious(stack);
        byte[] impostor = release(stack, PINNED_VERSION);
        mirror.release(PINNED_VERSION, impostor); // consistent with itself

        CliResult install = stack.run("temporal", "install");

        assertRefused(stack, install, previous, "gives sha256 " + ReleaseMirror.sha256(impostor) + " for "
                + ReleaseMirror.asset(PINNED_VERSION) + ", but stigmer pins ");
        assertThat(install.errorLines().getFirst()).contains("this is not the release stigmer knows");
        assertThat(mirror.requests).containsExactly(ReleaseMirror.checksumsPath(PINNED_VERSION));

        String pinned = ReleaseMirror.ARCH.equals("arm64")
                ? "6c57c352d52fc3df34412376fd9ba6f74b7e3ace8e426e6cba8600156d36a145"
                : "09a0326a51db84d02735e53542b9ebd8c4758daf47482a9ab0abce15844e60d5";
        assertThat(install.errorLines().getFirst()).contains("stigmer pins " + pinned);
        mirror.checksums(PINNED_VERSION, pinned); // now it claims the pinned digest for the impostor's bytes

        CliResult claimed = stack.run("temporal", "install", "--version", PINNED_VERSION);

        assertRefused(stack, claimed, previous, "sha256 mismatch for " + ReleaseMirror.asset(PINNED_VERSION) + ": downloaded "
                + ReleaseMirror.sha256(impostor) + ", checksums.txt says " + pinned);
    }

    @Test
    void onATerminalTheDownloadShowsABarOfBytesOfTotalAndInAPipePlainLines(Stack stack) throws Exception {
        useMirror(stack, mirror.base());
        byte[] archive = release(stack, VERSION);
        mirror.release(VERSION, archive);
        Path tty = StandIns.script(stack.home.resolveSibling("tty"), "on-a-terminal",
                "exec script -qefc \"$(printf '%q ' \"$@\")\" /dev/null\n");
        stack.launcher.add(tty.toString());

        CliResult onTerminal = stack.run("temporal", "install", "--version", VERSION);

        assertThat(onTerminal.exitCode()).as(onTerminal.toString()).isZero();
        String total = archive.length < 1024 ? archive.length + " B" : String.format(java.util.Locale.ROOT, "%.1f KiB", archive.length / 1024.0);
        assertThat(onTerminal.stdout()).contains("\r\033[2K  [").contains("] " + total + " of " + total)
                .contains("Installed " + installed(stack));

        stack.launcher.clear();
        CliResult piped = stack.run("temporal", "install", "--version", VERSION, "--force");

        assertThat(piped.exitCode()).as(piped.toString()).isZero();
        assertThat(piped.stdout()).doesNotContain("\r").doesNotContain("\033")
                .contains("Downloading " + mirror.base() + ReleaseMirror.archivePath(VERSION) + " (" + total + ")")
                .contains("Downloaded " + total);
    }

    @Test
    void aBadVersionOrMirrorUrlIsAUsageError(Stack stack) throws Exception {
        byte[] previous = installPrevious(stack);
        CliResult version = stack.run("temporal", "install", "--version", "latest");
        assertThat(version.exitCode()).isEqualTo(2);
        assertThat(version.errorLines()).containsExactly("stigmer: --version must be a release number like 1.9.1, got 'latest'");

        CliResult url = stack.run(Map.of("STIGMER_TEMPORAL_DOWNLOAD_URL", "ftp://mirror.example/temporal"), "temporal", "install");
        assertThat(url.exitCode()).isEqualTo(2);
        assertThat(url.errorLines()).singleElement().asString().contains("STIGMER_TEMPORAL_DOWNLOAD_URL must be an http(s) URL");

        CliResult stall = stack.run(Map.of("STIGMER_DOWNLOAD_STALL_TIMEOUT", "soon"), "temporal", "install");
        assertThat(stall.exitCode()).isEqualTo(2);
        assertThat(stall.errorLines()).singleElement().asString().contains("STIGMER_DOWNLOAD_STALL_TIMEOUT must be a duration");
        assertThat(Files.readAllBytes(installed(stack))).isEqualTo(previous);
    }

    /**
     * `stigmer local` is what people run all day: it must not pay for the installer. Neither the
     * bare fast path nor picocli's full model (which reflects over every command class) may load
     * the HTTP client or the archive reader, and the archive library's jars are not even on the
     * CLI's class path (the JVM opens every jar there: three more cost ~10 ms a call).
     */
    @Test
    void stigmerLocalLoadsNeitherTheHttpClientNorTheArchiveReader(Stack stack) throws Exception {
        try (Stream<Path> jars = Files.list(Stack.ROOT.resolve("build/lib/cli"))) {
            assertThat(jars.map(p -> p.getFileName().toString())).isNotEmpty().noneMatch(name -> name.startsWith("commons-"));
        }
        for (List<String> command : List.of(List.of("local", "status"), List.of("local", "status", "--json", "temporal"))) {
            Path classes = stack.home.resolveSibling("classes-" + command.size() + ".log");
            CliResult status = stack.run(Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classes),
                    command.toArray(String[]::new));
            assertThat(status.exitCode()).as(status.toString()).isEqualTo(3); // no daemon: it still ran its course
            String loaded = Files.readString(classes);
            assertThat(loaded).contains("dev.stigmer.cli.Main ");
            if (command.size() > 2) {
                assertThat(loaded).as("picocli's model was built").contains("dev.stigmer.cli.TemporalInstallCommand ");
            }
            assertThat(loaded).doesNotContain("java.net.http.").doesNotContain("org.apache.commons.")
                    .doesNotContain("dev.stigmer.cli.install.");
        }
    }
}
