package dev.stigmer.cli.install;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemporalReleaseTest {

    @Test
    void namesTheArchiveAndChecksumsAsUpstreamsReleasesDo() {
        TemporalRelease release = new TemporalRelease("1.9.1", "arm64");
        URI official = URI.create(TemporalRelease.OFFICIAL_BASE);
        assertThat(release.archiveUri(official)).hasToString(
                "https://github.com/temporalio/cli/releases/download/v1.9.1/temporal_cli_1.9.1_linux_arm64.tar.gz");
        assertThat(release.checksumsUri(URI.create("http://mirror.example/temporal/"))).hasToString(
                "http://mirror.example/temporal/v1.9.1/checksums.txt");
    }

    @Test
    void theDefaultVersionIsPinnedForBothArchitectures() {
        for (String arch : new String[]{"amd64", "arm64"}) {
            assertThat(PinnedDigests.of(new TemporalRelease(TemporalRelease.DEFAULT_VERSION, arch)))
                    .get().asString().matches("[0-9a-f]{64}");
        }
        assertThat(PinnedDigests.of(new TemporalRelease("1.7.0", "amd64"))).isEmpty();
    }

    @Test
    void aVersionMayStartWithVAndMustOtherwiseBeAReleaseNumber() throws Exception {
        assertThat(TemporalRelease.forThisMachine("v1.8.0").version()).isEqualTo("1.8.0");
        assertThat(TemporalRelease.forThisMachine(null).version()).isEqualTo(TemporalRelease.DEFAULT_VERSION);
        assertThat(TemporalRelease.forThisMachine("1.6.2-standalone-activity").version()).isEqualTo("1.6.2-standalone-activity");
        for (String bad : new String[]{"latest", "1.9", "1.9.1/../../x", ""}) {
            assertThatThrownBy(() -> TemporalRelease.forThisMachine(bad)).isInstanceOf(InstallException.class)
                    .matches(e -> ((InstallException) e).usage());
        }
    }

    @Test
    void architecturesMapToUpstreamsNamesAndOthersAreRefused() throws Exception {
        assertThat(TemporalRelease.machineArch("amd64")).isEqualTo("amd64");
        assertThat(TemporalRelease.machineArch("aarch64")).isEqualTo("arm64");
        assertThatThrownBy(() -> TemporalRelease.machineArch("riscv64")).hasMessageContaining("not riscv64");
    }
}
