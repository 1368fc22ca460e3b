package dev.stigmer.dashboard;

import dev.stigmer.state.AtomicFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The dashboard's access token: 256 random bits, kept in {@code run/dashboard.token} (0600, in the
 * 0700 run/). Kept across daemon restarts, so an open page (its session cookie holds the token)
 * reconnects to the next daemon by itself. Never logged.
 */
public final class DashboardToken {
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9_-]{43,}");
    private final byte[] value;

    private DashboardToken(String value) {
        this.value = value.getBytes(StandardCharsets.US_ASCII);
    }

    /** The token in {@code file}, or a new one written there when it is missing or malformed. */
    public static DashboardToken loadOrCreate(Path file) throws IOException {
        if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            String existing = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (WELL_FORMED.matcher(existing).matches()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                return new DashboardToken(existing);
            }
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        AtomicFile.write(file, token + "\n"); // a temp file (0600) renamed over the path: never a link followed
        return new DashboardToken(token);
    }

    /** Constant time: how much of a guess was right must not show in how long the answer takes. */
    public boolean matches(String candidate) {
        return candidate != null
                && MessageDigest.isEqual(value, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    /** For the cookie the page gets; never for a log. */
    String value() {
        return new String(value, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "DashboardToken[hidden]";
    }
}
