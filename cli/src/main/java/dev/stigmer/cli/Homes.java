package dev.stigmer.cli;

import dev.stigmer.state.StigmerHome;

import java.nio.charset.StandardCharsets;

final class Homes {
    // Linux's sun_path is 108 bytes with the terminating NUL, but the JDK binds and connects at
    // most 106 (107 is "Unix domain path too long", measured on JDK 25; it binds the path itself,
    // no temporary name first).
    static final int MAX_SOCKET_PATH_BYTES = 106;

    private Homes() {
    }

    /** STIGMER_HOME (or ~/.stigmer), checked: its control socket's path must fit a Unix socket address. */
    static StigmerHome current() {
        StigmerHome home = StigmerHome.fromEnvironment();
        int length = home.socket().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new UserError("STIGMER_HOME " + home.root() + " is too long: its control socket " + home.socket()
                    + " would be " + length + " bytes, and a Unix socket path takes at most " + MAX_SOCKET_PATH_BYTES
                    + "; set STIGMER_HOME to a shorter path");
        }
        return home;
    }

    /** The current home, created and private, or a one-line error saying what is wrong with it. */
    static StigmerHome ready() {
        return ready(current());
    }

    /**
     * The home, created, or a one-line error saying what is wrong with it. A home others can
     * write to is used as it is, with one warning line on stderr.
     */
    static StigmerHome ready(StigmerHome home) {
        try {
            StigmerHome ready = home.ensureCreated();
            ready.permissionWarning().ifPresent(warning -> System.err.println("stigmer: warning: " + warning));
            return ready;
        } catch (StigmerHome.HomeException e) {
            throw new UserError(e.getMessage());
        }
    }
}
