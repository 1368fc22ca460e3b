package dev.stigmer.stack;

import dev.stigmer.state.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one spec-hash scheme: SHA-256 of a definition's JSON. A member whose hash is unchanged is
 * kept by a re-run; a process carries its hash (STIGMER_SPEC), so a later daemon adopts only what
 * it would start itself. Callers pass a shape whose JSON is stable (sorted maps, fixed order).
 */
public final class SpecHash {
    private SpecHash() {
    }

    public static String of(Object shape) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.write(shape).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
