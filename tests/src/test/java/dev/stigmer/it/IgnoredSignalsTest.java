package dev.stigmer.it;

import dev.stigmer.process.ProcFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `stigmer local` started with signals ignored (a script's background job ignores SIGINT and
 * SIGQUIT, nohup SIGHUP): an ignored signal survives exec and no shell can trap it, so without a
 * reset a service whose stop_signal is INT ignored it and was killed when its grace ran out.
 */
@ExtendWith(StackExtension.class)
class IgnoredSignalsTest {

    private static final long INT_QUIT_HUP = (1L << (2 - 1)) | (1L << (3 - 1)) | (1L << (1 - 1));

    @Test
    void aStopSignalTheCallerIgnoredStillStopsTheService(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  db:
                    command: trap 'echo INT > db.stopped; exit 0' INT; while true; do sleep 0.1; done
                    stop_signal: INT
                    stop_grace: 30s
                """);
        // The CLI starts as a background job would: SIGINT, SIGQUIT and SIGHUP ignored.
        stack.launcher.addAll(List.of("sh", "-c", "trap '' INT QUIT HUP; exec \"$@\"", "ignoring"));
        CliResult ignoring = stack.run("local", "status");
        assertThat(ignoring.exitCode()).as("the wrapper itself works").isEqualTo(3);

        stack.start();
        long daemon = stack.daemonPid();
        long db = stack.pid("db");
        assertThat(ProcFs.ignoredSignals(daemon) & INT_QUIT_HUP).as("the daemon's ignored signals").isZero();
        assertThat(ProcFs.ignoredSignals(db) & INT_QUIT_HUP).as("the service's ignored signals").isZero();

        CliResult stop = stack.run("local", "stop");

        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(dir.resolve("db.stopped")).as("db's trap ran on SIGINT").exists();
        assertThat(Files.readString(dir.resolve("db.stopped")).strip()).isEqualTo("INT");
        assertThat(stop.millis()).as("stopped by its signal, not killed after its 30 s grace").isLessThan(20_000);
        assertThat(stack.ownedProcesses()).isEmpty();
    }

    @Test
    void withoutEnvDefaultSignalTheDaemonStillStartsAndTheCliLogSaysSo(Stack stack) throws Exception {
        stack.project("""
                services:
                  web:
                    command: exec sleep 600
                """);
        // An `env` that predates --default-signal (coreutils < 8.31, busybox): it refuses the option.
        Path bin = Files.createDirectories(stack.stigmerHome().root().getParent().resolve("old-env"));
        Path env = bin.resolve("env");
        Files.writeString(env, "#!/bin/sh\ncase \"$1\" in --default-signal*) echo \"env: unrecognized option\" >&2; exit 125;; esac\n"
                + "exec /usr/bin/env \"$@\"\n");
        Files.setPosixFilePermissions(env, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        stack.launcher.addAll(List.of("sh", "-c", "trap '' INT QUIT HUP; exec \"$@\"", "ignoring"));

        CliResult start = stack.run(java.util.Map.of("PATH", bin + ":" + System.getenv("PATH")), "local", "start");

        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(Files.readString(stack.stigmerHome().logFile("cli")))
                .contains("signals ignored by the caller stay ignored", "env --default-signal is missing");
        long sigint = 1L << (2 - 1); // (the JVM takes SIGQUIT back for its thread dumps)
        assertThat(ProcFs.ignoredSignals(stack.daemonPid()) & sigint)
                .as("as before the reset: the daemon inherits what the caller ignored").isEqualTo(sigint);
        assertThat(stack.pid("web")).isPositive();
    }

    @Test
    void ignoredSignalsAreReadFromProc() throws Exception {
        long usr1 = 1L << (10 - 1);
        Process ignoring = new ProcessBuilder("sh", "-c", "trap '' USR1; exec sleep 60").start();
        Process plain = new ProcessBuilder("sleep", "60").start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> ProcFs.commandLine(ignoring.pid()).orElse("").startsWith("sleep"));
            assertThat(ProcFs.ignoredSignals(ignoring.pid()) & usr1).as("sleep after trap '' USR1").isEqualTo(usr1);
            assertThat(ProcFs.ignoredSignals(plain.pid()) & usr1).as("a plain sleep").isZero();
            assertThat(ProcFs.ignoredSignals(Long.MAX_VALUE)).as("no such process").isZero();
        } finally {
            ignoring.destroyForcibly().waitFor();
            plain.destroyForcibly().waitFor();
        }
    }
}
