package dev.stigmer.cli;

import dev.stigmer.state.StigmerHome;

final class Homes {
    private Homes() {
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
