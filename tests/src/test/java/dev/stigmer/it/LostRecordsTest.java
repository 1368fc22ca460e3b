package dev.stigmer.it;

import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A daemon killed with kill -9 whose records were then lost or emptied: the next daemon still
 * finds its processes by their ownership mark, adopts them and keeps them (the embedded Temporal
 * holds every workflow in memory: killing it loses them all).
 */
@ExtendWith(StackExtension.class)
class LostRecordsTest {

    @Test
    void temporalWhoseRecordIsEmptyIsAdoptedAndKeptRunning(Stack stack) throws Exception {
        stack.start();
        long temporal = stack.temporalPid();
        Stack.killAndAwaitGone(stack.daemonPid());
        Files.writeString(stack.stigmerHome().componentRecord("temporal"), "");

        stack.start();

        assertThat(stack.temporalPid()).as("adopted, not replaced:\n" + stack.log("daemon")).isEqualTo(temporal);
        assertThat(stack.temporal().get("restarts").getAsInt()).isZero();
        assertThat(stack.temporal().get("adopted").getAsBoolean()).isTrue();
        assertThat(stack.log("daemon")).doesNotContain("status unknown: adopted process");
        assertThat(ProcessIdentity.of(temporal)).isPresent();
        // Its run's cgroup is known again: a second kill -9 and a lost record still keep it.
        Stack.killAndAwaitGone(stack.daemonPid());
        Files.delete(stack.stigmerHome().componentRecord("temporal"));
        stack.start();
        assertThat(stack.temporalPid()).isEqualTo(temporal);
    }

    @Test
    void aServiceThatExecdAnotherCommandIsAdoptedWithoutItsRecord(Stack stack) throws Exception {
        // `exec` makes the session leader's command line `sleep 600`, not the `sh -c` the daemon
        // ran: the same as a pyenv shim that execs the real python.
        stack.project("""
                services:
                  api:
                    command: exec sleep 600
                """);
        stack.start();
        long api = stack.pid("api");
        Stack.killAndAwaitGone(stack.daemonPid());
        Path record = stack.stigmerHome().componentRecord("api");
        Files.delete(record);

        stack.start();

        assertThat(stack.pid("api")).as("adopted, not replaced:\n" + stack.log("daemon")).isEqualTo(api);
        assertThat(stack.component("api").get("adopted").getAsBoolean()).isTrue();
        assertThat(stack.component("api").get("restarts").getAsInt()).isZero();
    }
}
