package dev.stigmer.it;

import com.google.gson.JsonObject;
import dev.stigmer.control.DaemonRecord;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Records are hints, never orders: a recorded pid that now belongs to another process, a record
 * that names a process not ours, and state files that are corrupt or stale must never produce
 * "already running", a report of the wrong process, or a signal to it.
 */
@ExtendWith(StackExtension.class)
class IdentityTest {

    @Test
    void recordedPidReusedByAnUnrelatedProcessIsNeitherReportedNorSignalled(Stack stack) throws Exception {
        stack.start();
        long old = stack.temporalPid();
        Path temporalRecord = stack.stigmerHome().componentRecord("temporal");
        Path daemonRecord = stack.stigmerHome().daemonRecord();
        String temporalJson = Files.readString(temporalRecord);
        String daemonJson = Files.readString(daemonRecord);
        assertThat(Json.read(temporalJson, ComponentRecord.class).pid()).isEqualTo(old);
        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();

        // As after a crash of everything: the records stay, and the pid goes to someone else.
        Files.writeString(temporalRecord, temporalJson);
        Files.writeString(daemonRecord, daemonJson);
        Optional<Bystander> forced = Bystander.startAt(stack.home.resolveSibling("bystander"), old);
        RootOnly.require(forced.isPresent(), "a reused Temporal pid is neither reported nor signalled",
                "forcing pid " + old + " through ns_last_pid");
        try (Bystander bystander = forced.get()) {
            JsonObject down = stack.temporal();
            assertThat(down.get("state").getAsString()).isEqualTo("stopped");
            assertThat(down.get("pid").isJsonNull()).as(down.toString()).isTrue();
            assertThat(stack.run("local", "status").stdout()).doesNotContain(Long.toString(old));

            CliResult start = stack.start();
            assertThat(start.stdout()).doesNotContain("already running");
            assertThat(stack.temporalPid()).isPositive().isNotEqualTo(old);
            assertThat(stack.temporalState()).isEqualTo("running");
            assertThat(stack.temporal().get("adopted").getAsBoolean()).isFalse();
            assertThat(stack.log("daemon")).contains("record names pid " + old);
            assertUntouched(bystander);

            stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stack.ownedProcesses()).isEmpty();
            assertUntouched(bystander);
        }
    }

    enum WrongProcess {
        /** Pid, start time and boot all match, but it does not carry our environment mark. */
        UNMARKED,
        /** Same pid, another start time: the recorded process died and the pid was reused. */
        OTHER_START_TIME,
        /** Same pid and start time, but recorded during another boot. */
        OTHER_BOOT
    }

    @ParameterizedTest
    @EnumSource(WrongProcess.class)
    void recordNamingAProcessThatIsNotOursIsDetectedAndAFreshTemporalStarts(WrongProcess wrong, Stack stack)
            throws Exception {
        Path args = stack.home.resolveSibling("temporal-args.txt");
        Path temporal = StandIns.serving(stack.home.resolveSibling("bin"), args);
        try (Bystander bystander = Bystander.start(stack.home.resolveSibling("bystander"))) {
            ProcessIdentity id = bystander.identity();
            ProcessIdentity recorded = switch (wrong) {
                case UNMARKED -> id;
                case OTHER_START_TIME -> new ProcessIdentity(id.pid(), Math.max(1, id.startTicks() - 250), id.bootId(),
                        id.commandLine());
                case OTHER_BOOT -> new ProcessIdentity(id.pid(), id.startTicks(), "00000000-0000-0000-0000-000000000000",
                        id.commandLine());
            };
            writeTemporalRecord(stack, recorded, temporal);

            CliResult start = stack.start("--temporal-bin", temporal.toString());
            assertThat(start.stdout()).doesNotContain("already running");
            assertThat(stack.log("daemon")).as("the record was checked and rejected")
                    .contains("record names pid " + bystander.pid()).contains("not our live process");
            assertThat(stack.temporalPid()).isPositive().isNotEqualTo(bystander.pid());
            assertThat(stack.temporal().get("adopted").getAsBoolean()).isFalse();
            assertThat(Files.readAllLines(args)).as("a fresh Temporal was started once").hasSize(1);
            assertUntouched(bystander);

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertUntouched(bystander);
        }
    }

    @Test
    void daemonRecordNamingAProcessThatIsNotOursIsNeverSignalled(Stack stack) throws Exception {
        try (Bystander bystander = Bystander.start(stack.home.resolveSibling("bystander"))) {
            ProcessIdentity id = bystander.identity();
            stack.stigmerHome().ensureCreated();
            Json.writeFile(stack.stigmerHome().daemonRecord(), new DaemonRecord(id.pid(), id.startTicks(), id.bootId(),
                    System.currentTimeMillis(), "0.1.0", new LocalSettings(stack.port, true, null, false,
                    60_000, 500, 1000, 3000)));

            CliResult status = stack.run("local", "status");
            assertThat(status.exitCode()).as(status.toString()).isEqualTo(3);
            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stop.stdout()).contains("Nothing was running");
            assertUntouched(bystander);

            stack.start();
            assertThat(stack.daemonPid()).isNotEqualTo(bystander.pid());
            stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertUntouched(bystander);
        }
    }

    @ParameterizedTest(name = "state files containing [{0}]")
    @ValueSource(strings = {"garbage{{", "", "TRUNCATED", "{\"pid\": \"not a number\"}", "\0\0\0\0\0\0\0\0"})
    void corruptOrTruncatedStateFilesAreTreatedAsAbsent(String content, Stack stack) throws Exception {
        stack.stigmerHome().ensureCreated();
        for (Path file : List.of(stack.stigmerHome().componentRecord("temporal"), stack.stigmerHome().daemonRecord())) {
            Files.writeString(file, content.equals("TRUNCATED") ? truncatedRecord() : content);
        }

        CliResult status = stack.run("local", "status", "--json");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(3);
        assertThat(stack.status().get("daemon").isJsonNull()).isTrue();
        assertThat(status.stderr()).as(status.toString()).isBlank();
        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout()).contains("Nothing was running");
        assertThat(stop.stderr()).as(stop.toString()).isBlank();

        CliResult start = stack.start();
        assertThat(start.stdout()).contains("Temporal is running at").doesNotContain("already running");
        assertThat(start.stderr()).as(start.toString()).isBlank();
        assertThat(stack.temporalState()).isEqualTo("running");
        assertThat(stack.owned("temporal")).hasSize(1);
    }

    enum StaleSocket { PLAIN_FILE, DEAD_SOCKET }

    @ParameterizedTest
    @EnumSource(StaleSocket.class)
    void staleSocketAndLockFilesDoNotLookLikeARunningDaemon(StaleSocket kind, Stack stack) throws Exception {
        stack.stigmerHome().ensureCreated();
        Path socket = stack.stigmerHome().socket();
        switch (kind) {
            case PLAIN_FILE -> Files.writeString(socket, "not a socket");
            case DEAD_SOCKET -> {
                try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                    server.bind(UnixDomainSocketAddress.of(socket));
                }
            }
        }
        assertThat(Files.exists(socket, LinkOption.NOFOLLOW_LINKS)).isTrue();
        Files.writeString(stack.stigmerHome().daemonLock(), "12345\n");
        Files.writeString(stack.stigmerHome().startLock(), "12345\n");

        CliResult status = stack.run("local", "status");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(3);
        assertThat(status.stdout()).contains("not running");
        assertThat(status.showsJavaInternals()).as(status.toString()).isFalse();
        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout()).contains("Nothing was running");

        CliResult start = stack.start();
        assertThat(start.stdout()).contains("Temporal is running at").doesNotContain("already running");
        assertThat(stack.temporalState()).isEqualTo("running");
        assertThat(Files.isRegularFile(socket, LinkOption.NOFOLLOW_LINKS)).as("replaced by a live socket").isFalse();
        assertThat(stack.owned("daemon")).hasSize(1);
    }

    /** Watched for half a second: a trap runs within milliseconds of its signal. */
    private static void assertUntouched(Bystander bystander) {
        await().alias(bystander + " alive and never signalled").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> bystander.isAlive() && bystander.signalsReceived().isEmpty());
    }

    /** The record a serving stand-in would get, per the contract's start-dev command line. */
    private static void writeTemporalRecord(Stack stack, ProcessIdentity identity, Path temporal) throws Exception {
        stack.stigmerHome().ensureCreated();
        List<String> command = List.of(temporal.toString(), "server", "start-dev", "--ip", "127.0.0.1",
                "--port", Integer.toString(stack.port), "--ui-port", Integer.toString(stack.port + 1000),
                "--db-filename", stack.stigmerHome().dataDir("temporal").resolve("temporal.db").toString());
        Json.writeFile(stack.stigmerHome().componentRecord("temporal"),
                ComponentRecord.of("temporal", identity, command, System.currentTimeMillis()));
    }

    private static String truncatedRecord() throws IOException {
        String whole = Json.pretty(new ComponentRecord("temporal", 4242, 123456, "boot", "temporal server start-dev",
                List.of("temporal", "server", "start-dev"), 1L));
        return whole.substring(0, whole.length() / 2);
    }
}
