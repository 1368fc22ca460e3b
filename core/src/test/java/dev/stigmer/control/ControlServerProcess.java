package dev.stigmer.control;

import java.nio.file.Path;

/**
 * A control server in a JVM of its own, for tests that need the daemon's heap or to change its
 * descriptor limit from outside. Prints "listening"; ends when stdin closes.
 */
public final class ControlServerProcess {
    private ControlServerProcess() {
    }

    public static void main(String[] args) throws Exception {
        try (ControlServer ignored = ControlServer.start(Path.of(args[0]), request -> ControlResponse.ok(null))) {
            // As the daemon does before it serves: logging is set up (time zone data read) by then.
            System.getLogger("stigmer.test").log(System.Logger.Level.INFO, "control server process " + ProcessHandle.current().pid());
            System.out.println("listening");
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
