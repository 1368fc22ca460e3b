package dev.stigmer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proofs that need root (forcing a pid through ns_last_pid, mounting a small filesystem). CI
 * runs as root: there they must run, and a failure to set them up fails the test. Elsewhere
 * they are skipped, loudly, so nobody takes a green run for a proof that did not happen.
 */
final class RootOnly {
    private RootOnly() {
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Skips loudly when not root; as root, nothing. */
    static void require(String proof) {
        if (!isRoot()) {
            System.err.println("""

                    ************************************************************************
                    NOT PROVED (not root): %s
                    CI runs as root; run the tests as root to prove it.
                    ************************************************************************
                    """.formatted(proof));
            assumeTrue(false, "NOT PROVED (not root): " + proof);
        }
    }

    /** As root {@code setUp} must have worked; otherwise a loud skip. */
    static void require(boolean setUp, String proof, String what) {
        require(proof);
        assertThat(setUp).as(what + " (as root this must work)").isTrue();
    }
}
