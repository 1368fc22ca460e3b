package dev.stigmer.config;

import java.time.Duration;
import java.util.Map;

/**
 * The STIGMER_* variables, read in one place. Each is parsed when asked for (a variable that does
 * not apply, say STIGMER_TEMPORAL_PORT for an external Temporal, is never an error); a bad value
 * throws IllegalArgumentException with one line that names the variable.
 */
public final class StigmerEnvironment {
    public static final String FILE = "STIGMER_FILE";
    public static final String TEMPORAL_PORT = "STIGMER_TEMPORAL_PORT";
    public static final String TEMPORAL_BIN = "STIGMER_TEMPORAL_BIN";
    public static final String HEALTH_INTERVAL = "STIGMER_HEALTH_INTERVAL";
    public static final String HEALTH_TIMEOUT = "STIGMER_HEALTH_TIMEOUT";
    public static final String STOP_GRACE = "STIGMER_STOP_GRACE";
    public static final String DOWNLOAD_URL = "STIGMER_TEMPORAL_DOWNLOAD_URL";
    public static final String DOWNLOAD_CONNECT_TIMEOUT = "STIGMER_DOWNLOAD_CONNECT_TIMEOUT";
    public static final String DOWNLOAD_STALL_TIMEOUT = "STIGMER_DOWNLOAD_STALL_TIMEOUT";

    private final Map<String, String> env;

    public StigmerEnvironment(Map<String, String> env) {
        this.env = env;
    }

    /** Temporal's port, if set. */
    public Integer temporalPort() {
        String text = env.get(TEMPORAL_PORT);
        return text == null ? null : port(text, TEMPORAL_PORT);
    }

    /** The temporal executable to run, if set (as written: the caller checks it). */
    public String temporalBin() {
        return env.get(TEMPORAL_BIN);
    }

    public Duration healthInterval() {
        return duration(HEALTH_INTERVAL, Duration.ofSeconds(5));
    }

    public Duration healthTimeout() {
        return duration(HEALTH_TIMEOUT, Duration.ofSeconds(2));
    }

    public Duration stopGrace() {
        return duration(STOP_GRACE, Duration.ofSeconds(10));
    }

    public Duration downloadConnectTimeout() {
        return duration(DOWNLOAD_CONNECT_TIMEOUT, Duration.ofSeconds(10));
    }

    public Duration downloadStallTimeout() {
        return duration(DOWNLOAD_STALL_TIMEOUT, Duration.ofSeconds(30));
    }

    private Duration duration(String variable, Duration fallback) {
        String text = env.get(variable);
        if (text == null) {
            return fallback;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + " " + e.getMessage(), e);
        }
    }

    /** A port number from 1 to 65535, or a one-line error naming {@code source} (a flag or a variable). */
    public static int port(String text, String source) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= 1 && value <= 65535) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new IllegalArgumentException(source + " must be a port number from 1 to 65535, got '" + text + "'");
    }
}
