package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A frozen daemon whose record is corrupt or gone is still found, as the holder of its lock that
 * carries the daemon's mark: status names it at once, and stop ends it.
 */
@ExtendWith(StackExtension.class)
class FrozenDaemonWithoutRecordTest {

    @Test
    void aFrozenDaemonWithACorruptRecordIsNamedAtOnceAndEndedByStop(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        Files.writeString(stack.stigmerHome().daemonRecord(), "garbage{\n");
        Linux.kill(daemon, Linux.SIGSTOP);
        try {
            CliResult status = stack.run("local", "status");
            assertThat(status.exitCode()).as(status.toString()).isEqualTo(1);
            assertThat(status.millis()).as(status.toString()).isLessThan(5_000);
            assertThat(status.stderr()).as(status.toString()).contains("pid " + daemon).contains("kill -CONT " + daemon);

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stop.stdout()).contains("Stopped");
            assertThat(stop.millis()).as(stop.toString()).isLessThan(15_000);
        } finally {
            Linux.kill(daemon, Linux.SIGCONT);
        }
        assertThat(ProcessIdentity.of(daemon)).as("the frozen daemon was ended").isEmpty();
        assertThat(ProcessIdentity.of(temporal)).isEmpty();
        assertThat(stack.ownedProcesses()).isEmpty();

        stack.start(); // the lock is free: a new daemon starts
        assertThat(stack.daemonPid()).isNotEqualTo(daemon);
    }

    @Test
    void aFrozenDaemonWithoutARecordIsEndedByStop(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        Files.delete(stack.stigmerHome().daemonRecord());
        Linux.kill(daemon, Linux.SIGSTOP);
        try {
            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stop.millis()).as(stop.toString()).isLessThan(15_000);
        } finally {
            Linux.kill(daemon, Linux.SIGCONT);
        }
        assertThat(ProcessIdentity.of(daemon)).isEmpty();
        assertThat(stack.ownedProcesses()).isEmpty();
    }
}
