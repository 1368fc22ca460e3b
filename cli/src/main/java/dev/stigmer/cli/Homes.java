package dev.stigmer.cli;

import dev.stigmer.state.StigmerHome;

final class Homes {
    private Homes() {
    }

    /** The home, created and private, or a one-line error saying what is wrong with it. */
    static StigmerHome ready(StigmerHome home) {
        try {
            return home.ensureCreated();
        } catch (StigmerHome.HomeException e) {
            throw new UserError(e.getMessage());
        }
    }
}
