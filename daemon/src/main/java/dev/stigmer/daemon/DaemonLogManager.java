package dev.stigmer.daemon;

import java.util.logging.LogManager;

/**
 * The daemon's LogManager: one whose handlers live as long as the process. The JDK's resets
 * logging (removes and closes every handler) from a shutdown hook of its own, and hooks run in
 * no order: on SIGTERM or Ctrl-C the daemon's hook, still stopping the stack, then wrote into
 * nothing, and daemon.log ended before "stopped". Nothing in the daemon resets its logging, and
 * its one handler flushes every record, so there is nothing left for a reset to do.
 * <p>
 * Chosen by {@code java.util.logging.manager}, which {@link DaemonMain} sets before anything logs.
 */
public final class DaemonLogManager extends LogManager {
    public DaemonLogManager() {
    }

    @Override
    public void reset() {
        // Deliberately nothing: see above.
    }
}
