package dev.stigmer.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Stand-in `temporal` executables written for the tests. The serving ones accept the
 * `server start-dev` flags, append them to a record file, and serve the embedded Temporal on
 * the given --ip/--port, so the real-CLI code path runs against a real gRPC server.
 */
final class StandIns {
    static final String SERVE = Stack.JAVA + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
            + " -cp '" + Stack.ROOT.resolve("build/lib/embedded") + "/*' dev.stigmer.embedded.EmbeddedTemporal";

    private static final String PARSE = """
            [[ $1 == server && $2 == start-dev ]] || { echo "stand-in temporal: expected 'server start-dev', got: $*" >&2; exit 64; }
            shift 2
            ip=127.0.0.1; port=7233; extra=()
            while [[ $# -gt 0 ]]; do
              case $1 in
                --ip) ip=$2; shift 2;;
                --port|-p) port=$2; shift 2;;
                --ui-port|--db-filename|-f|--dynamic-config-value|--log-level) shift 2;;
                --namespace|--search-attribute) extra+=("$1" "$2"); shift 2;;
                --headless) shift;;
                *) echo "stand-in temporal: unknown flag $1" >&2; exit 64;;
              esac
            done
            """;

    private StandIns() {
    }

    /** Records its arguments to {@code record}, then execs the embedded Temporal. */
    static Path serving(Path dir, Path record) throws IOException {
        return script(dir, "temporal", "echo \"$*\" >> '" + record + "'\n" + PARSE
                + "echo \"stand-in temporal: serving on $ip:$port\"\nexec " + SERVE + " --ip $ip --port $port \"${extra[@]}\"\n");
    }

    /**
     * A release's `temporal` as `stigmer temporal install` gets it from an archive: answers
     * `--version` as the real one does, and serves like {@link #serving} (its calls go to {@code record}).
     */
    static String releaseBinary(String version, Path record) {
        return "#!/bin/bash\n"
                + "if [[ $1 == --version ]]; then echo 'temporal version " + version + " (Server 1.0.0, UI 1.0.0; test stand-in)'; exit 0; fi\n"
                + "echo \"$*\" >> '" + record + "'\n" + PARSE
                + "echo \"stand-in temporal: serving on $ip:$port\"\nexec " + SERVE + " --ip $ip --port $port\n";
    }

    /** Prints a complaint and exits 3 at once, every time. */
    static Path exitingAtOnce(Path dir) throws IOException {
        return script(dir, "temporal", "echo 'stand-in temporal: FATAL cannot open database: disk on fire' >&2\nexit 3\n");
    }

    /**
     * Serves, and also leaves two processes that make stopping hard: a child that ignores
     * SIGTERM, and a grandchild that escaped into a session of its own with setsid. Their pids go
     * to {@code pids}.
     */
    static Path withStubbornTree(Path dir, Path pids) throws IOException {
        return script(dir, "temporal", PARSE + """
                bash -c 'trap "" TERM; while true; do sleep 0.2; done' &
                echo "child $!" >> '%s'
                setsid bash -c 'echo "escapee $$" >> "%s"; trap "" TERM; while true; do sleep 0.2; done' &
                exec %s --ip $ip --port $port "${extra[@]}"
                """.formatted(pids, pids, SERVE));
    }

    static Path script(Path dir, String name, String body) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
