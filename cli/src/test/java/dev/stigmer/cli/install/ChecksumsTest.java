package dev.stigmer.cli.install;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChecksumsTest {
    private static final String ASSET = "temporal_cli_1.9.1_linux_amd64.tar.gz";
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    @Test
    void findsTheLineForTheFileAmongOthersInGoreleasersFormat() throws Exception {
        String text = B + "  temporal_cli_1.9.1_darwin_arm64.tar.gz\n" + A + "  " + ASSET + "\n\n";
        assertThat(Checksums.digestOf(text, ASSET, "checksums.txt")).isEqualTo(A);
    }

    @Test
    void acceptsSha256sumsBinaryMarkerUppercaseHexAndCrlf() throws Exception {
        assertThat(Checksums.digestOf(A.toUpperCase() + " *" + ASSET + "\r\n", ASSET, "checksums.txt")).isEqualTo(A);
    }

    @Test
    void aFileWithoutALineForTheArchiveIsRefused() {
        assertThatThrownBy(() -> Checksums.digestOf(B + "  other.tar.gz\n", ASSET, "checksums.txt of v1.9.1"))
                .hasMessage("checksums.txt of v1.9.1 has no sha256 for " + ASSET + "; refusing to install an unverified archive");
    }

    @Test
    void aMalformedLineForTheArchiveIsRefusedButOtherMalformedLinesAreIgnored() throws Exception {
        assertThatThrownBy(() -> Checksums.digestOf("abc123  " + ASSET + "\n", ASSET, "checksums.txt"))
                .hasMessageContaining("malformed line for " + ASSET);
        assertThat(Checksums.digestOf("# a comment\n" + A + "  " + ASSET + "\n", ASSET, "checksums.txt")).isEqualTo(A);
    }

    @Test
    void twoDifferentDigestsForTheArchiveAreRefused() {
        assertThatThrownBy(() -> Checksums.digestOf(A + "  " + ASSET + "\n" + B + "  " + ASSET + "\n", ASSET, "checksums.txt"))
                .hasMessageContaining("two different sha256");
    }

    @Test
    void aFileNamedLikeTheArchiveWithAPrefixIsNotTheArchive() {
        assertThatThrownBy(() -> Checksums.digestOf(A + "  evil/" + ASSET + "\n", ASSET, "checksums.txt"))
                .hasMessageContaining("has no sha256 for");
    }
}
