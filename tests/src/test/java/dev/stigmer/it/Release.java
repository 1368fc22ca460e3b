package dev.stigmer.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A release archive made by ./package, and a way to run what it holds as a user without a JDK
 * would: in a mount namespace where /usr/lib/jvm (and with it /usr/bin/java), Maven, ~/.m2 and
 * the source checkout are empty tmpfs, with a PATH of /usr/bin:/bin. Each command gets a fresh
 * namespace; the daemon a command spawns stays in that command's namespace, so it sees no JDK
 * either. Needs root (unshare --mount).
 *
 * The archive under test is -Dstigmer.archive (.ci/run builds it with ./package first), else this
 * class runs ./package once per test run. Another version, for upgrades, is always packaged here.
 */
final class Release {
    private static final long PACKAGE_MINUTES = 25;
    /** Directories a user without a JDK would not have; the checkout is where this test's sources are. */
    static final List<Path> HIDDEN = List.of(Path.of("/usr/lib/jvm"), Path.of("/usr/share/maven"),
            Path.of(System.getProperty("user.home"), ".m2"), Stack.ROOT);
    private static final String SANDBOX = """
            IFS=:
            for d in $STIGMER_TEST_HIDE; do
              [ ! -d "$d" ] || mount -t tmpfs -o size=1m,mode=0755 none "$d" || exit 97
            done
            unset IFS STIGMER_TEST_HIDE
            exec "$@"
            """;

    private static Path archive;
    private static final Map<String, Path> others = new HashMap<>();

    final Path archiveFile;
    /** The unpacked stigmer-VERSION directory. */
    final Path dir;
    final String version;

    private Release(Path archiveFile, Path dir) throws IOException {
        this.archiveFile = archiveFile;
        this.dir = dir;
        Properties release = new Properties();
        try (var reader = Files.newBufferedReader(dir.resolve("release"))) {
            release.load(reader);
        }
        this.version = release.getProperty("STIGMER_VERSION");
    }

    /** The archive under test, unpacked into {@code into}. */
    static Release unpacked(Path into) throws Exception {
        return unpack(archive(), into);
    }

    /** A release of version {@code version} from these sources (packaged on first use), unpacked into {@code into}. */
    static Release unpackedVersion(String version, Path into) throws Exception {
        Path file;
        synchronized (others) {
            file = others.get(version);
            if (file == null) {
                file = runPackage(Files.createTempDirectory(Path.of("/tmp"), "stg-dist-"), "--version", version);
                others.put(version, file);
            }
        }
        return unpack(file, into);
    }

    /** Deletes the archives this run packaged (not one it was given): 80 MB each. */
    static synchronized void deletePackaged() throws IOException {
        List<Path> packaged = new ArrayList<>(others.values());
        if (archive != null && System.getProperty("stigmer.archive", "").isBlank()) {
            packaged.add(archive);
        }
        for (Path file : packaged) {
            try (var files = Files.walk(file.getParent())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        others.clear();
        archive = null;
    }

    static synchronized Path archive() throws Exception {
        if (archive == null) {
            String given = System.getProperty("stigmer.archive", "");
            archive = given.isBlank() ? runPackage(Files.createTempDirectory(Path.of("/tmp"), "stg-dist-"))
                    : Path.of(given).toAbsolutePath();
        }
        return archive;
    }

    /** Runs ./package (into {@code out}); returns the archive it printed last. */
    private static Path runPackage(Path out, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Stack.ROOT.resolve("package").toString(), "--out", out.toString()));
        command.addAll(List.of(args));
        Path log = out.resolve("package.out");
        Process process = new ProcessBuilder(command).directory(Stack.ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(PACKAGE_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("./package did not finish within " + PACKAGE_MINUTES + " min: " + Files.readString(log));
        }
        List<String> lines = Files.readAllLines(log);
        if (process.exitValue() != 0 || lines.isEmpty()) {
            throw new AssertionError("./package failed (exit " + process.exitValue() + "):\n" + String.join("\n", lines));
        }
        return Path.of(lines.getLast());
    }

    private static Release unpack(Path archive, Path into) throws Exception {
        Files.createDirectories(into);
        CliResult tar = run(List.of("tar", "-xzf", archive.toString(), "-C", into.toString()), Map.of(), null);
        if (tar.exitCode() != 0) {
            throw new AssertionError("cannot unpack " + archive + ": " + tar);
        }
        try (var entries = Files.list(into)) {
            return new Release(archive, entries.filter(Files::isDirectory).findFirst().orElseThrow());
        }
    }

    /** {@code command} inside a fresh namespace without JDK, Maven or sources, with the stack's environment. */
    static List<String> sandboxed(List<String> command) {
        List<String> sandboxed = new ArrayList<>(List.of("unshare", "--mount", "sh", "-c", SANDBOX, "sh"));
        sandboxed.addAll(command);
        return sandboxed;
    }

    static Map<String, String> sandboxEnvironment(Stack stack) {
        Map<String, String> env = new HashMap<>(stack.env);
        env.put("STIGMER_TEST_HIDE", String.join(":", HIDDEN.stream().map(Path::toString).toList()));
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", stack.home.getParent().toString());
        return env;
    }

    /** Runs {@code command} (not sandboxed unless it says so) in {@code cwd}, with exactly {@code env} (plus a locale). */
    static CliResult run(List<String> command, Map<String, String> env, Path cwd) throws Exception {
        Path out = Files.createTempFile("stg-out", ".txt");
        Path err = Files.createTempFile("stg-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (!env.isEmpty()) {
                builder.environment().clear();
                builder.environment().put("LANG", "C.UTF-8");
                builder.environment().putAll(env);
            }
            if (cwd != null) {
                builder.directory(cwd.toFile());
            }
            long started = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish within 180 s");
            }
            return new CliResult(process.exitValue(), Files.readString(out), Files.readString(err),
                    (System.nanoTime() - started) / 1_000_000);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
