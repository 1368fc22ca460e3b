package dev.stigmer.dashboard;

import java.util.Locale;
import java.util.Set;

/**
 * Where the dashboard listens, from {@code STIGMER_DASHBOARD_PORT}: a port, {@code 0} (any free
 * port) or {@code off}. Unset, it is derived from Temporal's port, so it is stable (a bookmark keeps
 * working) and two homes with different Temporal ports get different dashboards: Temporal's port +
 * {@value #OFFSET} (7233: 8333), which is none of the ports a Temporal dev server uses around its own
 * (frontend P, history P+1, matching P+2, internal frontend P+3, worker P+6, HTTP P+10, UI P+1000).
 *
 * @param port the port to bind; 0 for any; -1 when the dashboard is off
 */
public record DashboardPort(int port) {
    public static final String VARIABLE = "STIGMER_DASHBOARD_PORT";
    static final int OFFSET = 1100;
    /** Offsets from the gRPC port that `temporal server start-dev` listens on (7233-7236, 7239, 7243, 8233). */
    private static final Set<Integer> TEMPORAL_OFFSETS = Set.of(0, 1, 2, 3, 6, 10, 1000);
    private static final int MAX_PORT = 65535;

    public boolean off() {
        return port < 0;
    }

    /**
     * @param value        the variable's value, or null when unset
     * @param temporalPort the home's Temporal gRPC port
     * @param uiPort       Temporal's UI port when the stack file moves it, else null
     * @throws IllegalArgumentException with the user's one line when the value is no port
     */
    public static DashboardPort resolve(String value, int temporalPort, Integer uiPort) {
        if (value == null || value.isBlank()) {
            return new DashboardPort(derived(temporalPort, uiPort));
        }
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (text.equals("off")) {
            return new DashboardPort(-1);
        }
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= MAX_PORT) {
                return new DashboardPort(port);
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(VARIABLE + "=" + value + " is not a port: use 1-65535, 0 (any free port) or off");
    }

    /** Temporal's port + OFFSET (below it when that would pass 65535), stepping past a moved UI port. */
    static int derived(int temporalPort, Integer uiPort) {
        int step = temporalPort + OFFSET <= MAX_PORT - 16 ? 1 : -1;
        int port = step > 0 ? temporalPort + OFFSET : temporalPort - OFFSET;
        while (TEMPORAL_OFFSETS.contains(port - temporalPort) || (uiPort != null && port == uiPort)) {
            port += step;
        }
        return port;
    }
}
