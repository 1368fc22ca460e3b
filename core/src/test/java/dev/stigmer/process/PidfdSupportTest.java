package dev.stigmer.process;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the kernel has pidfds (every machine these tests run on: Linux 5.3+), nothing is degraded. */
class PidfdSupportTest {

    @Test
    void pidfdsAreAvailableAndNothingIsDegraded() {
        PidfdSupport support = PidfdSupport.current();

        assertThat(support.available()).as(String.valueOf(support.problem())).isTrue();
        assertThat(support.problem()).isNull();
        assertThat(support.degradedNote()).isEmpty();
    }

    /** PIDFD_SIGNAL_PROCESS_GROUP came with Linux 6.9. */
    @Test
    void groupSignalsGoThroughPidfdsExactlyWhereTheKernelIsAtLeast69() throws Exception {
        String[] release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
        int major = Integer.parseInt(release[0]);
        int minor = Integer.parseInt(release[1]);

        assertThat(PidfdSupport.current().groupSignals()).isEqualTo(major > 6 || (major == 6 && minor >= 9));
    }

    @Test
    void withoutPidfdsStatusGetsOneLineNamingTheCauseAndTheKernelRequirement() {
        PidfdSupport none = new PidfdSupport(false, false, "pidfd_open: ENOSYS");

        assertThat(none.degradedNote()).hasValueSatisfying(note -> assertThat(note)
                .contains("pidfd_open: ENOSYS", "Linux 5.3", "by pid").doesNotContain("\n"));
    }
}
