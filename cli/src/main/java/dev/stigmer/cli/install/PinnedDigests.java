package dev.stigmer.cli.install;

import java.util.Map;
import java.util.Optional;

/**
 * SHA-256 digests of release archives that stigmer itself vouches for, beside what the release's
 * checksums.txt says: a mirror (or a release page) that serves other bytes with a matching
 * checksums.txt is still refused for these. Upstream signs nothing, so this pin is the only check
 * that does not trust the server the archive came from.
 * <p>
 * Where these come from (this project has no access to the release pages): temporal CLI 1.9.1,
 * the latest release found in public sources. The linux_amd64 digest appears, identical, in more
 * than ten public files of several projects that pin this archive (install scripts,
 * Dockerfiles, CI set-ups, test harnesses); the linux_arm64 digest, identical, in three of them
 * (a shell installer, a TypeScript module, a Dockerfile; the first and the last say they took
 * both from the release's checksums.txt), each of which gives the same linux_amd64 digest.
 * cashapp/hermit-packages' temporal-cli.hcl, a package index with a digest per URL, stops at
 * 1.5.1, so it could not confirm these.
 * Bump {@link TemporalRelease#DEFAULT_VERSION} and these together, from the release's
 * checksums.txt.
 */
final class PinnedDigests {
    private static final Map<String, String> DIGESTS = Map.of(
            "temporal_cli_1.9.1_linux_amd64.tar.gz", "09a0326a51db84d02735e53542b9ebd8c4758daf47482a9ab0abce15844e60d5",
            "temporal_cli_1.9.1_linux_arm64.tar.gz", "6c57c352d52fc3df34412376fd9ba6f74b7e3ace8e426e6cba8600156d36a145");

    private PinnedDigests() {
    }

    /** The pinned digest (lowercase hex) of this release's archive, if stigmer pins one. */
    static Optional<String> of(TemporalRelease release) {
        return Optional.ofNullable(DIGESTS.get(release.asset()));
    }
}
