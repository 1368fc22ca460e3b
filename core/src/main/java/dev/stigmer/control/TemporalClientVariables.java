package dev.stigmer.control;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Temporal's standard client variables (the ones the Temporal CLI and SDKs read) for the stack's
 * Temporal: what services get and what `stigmer local env` prints. One place for both.
 */
public final class TemporalClientVariables {
    public static final String ADDRESS = "TEMPORAL_ADDRESS";
    public static final String NAMESPACE = "TEMPORAL_NAMESPACE";
    public static final String TLS = "TEMPORAL_TLS";
    public static final String CA = "TEMPORAL_TLS_SERVER_CA_CERT_PATH";
    public static final String CERT = "TEMPORAL_TLS_CLIENT_CERT_PATH";
    public static final String KEY = "TEMPORAL_TLS_CLIENT_KEY_PATH";
    public static final String SERVER_NAME = "TEMPORAL_TLS_SERVER_NAME";
    public static final String API_KEY = "TEMPORAL_API_KEY";
    /** Every TLS variable we may set, in the order they are printed. */
    public static final List<String> TLS_PATHS = List.of(CA, CERT, KEY, SERVER_NAME);

    private TemporalClientVariables() {
    }

    /**
     * The variables for {@code settings}, in a stable order, without the API key (never in a
     * file, an argv or printed: the daemon adds it to a service's environment). TEMPORAL_TLS is
     * always set, so a client that also reads a temporal.toml profile does not turn TLS on
     * against a plaintext server.
     */
    public static Map<String, String> of(LocalSettings settings) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(ADDRESS, settings.temporalAddress());
        ExternalTemporal external = settings.external();
        variables.put(NAMESPACE, external == null ? "default" : external.namespace());
        ExternalTemporal.Tls tls = external == null ? null : external.tls();
        variables.put(TLS, Boolean.toString(tls != null));
        if (tls != null) {
            putIfSet(variables, CA, tls.ca());
            putIfSet(variables, CERT, tls.cert());
            putIfSet(variables, KEY, tls.key());
            putIfSet(variables, SERVER_NAME, tls.serverName());
        }
        return variables;
    }

    /**
     * True for a variable that says how to reach or authenticate to a Temporal: a caller's shell
     * may hold them for another Temporal, so services do not inherit them (their file's env may
     * still set them).
     */
    public static boolean isConnectionVariable(String name) {
        return name.equals(API_KEY) || name.equals(TLS) || name.startsWith("TEMPORAL_TLS_");
    }

    private static void putIfSet(Map<String, String> variables, String name, String value) {
        if (value != null) {
            variables.put(name, value);
        }
    }
}
