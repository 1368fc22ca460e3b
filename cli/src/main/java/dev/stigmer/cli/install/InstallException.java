package dev.stigmer.cli.install;

/** An install that cannot go on: the message is the one line the user sees; the cause goes to the log. */
public final class InstallException extends Exception {
    private final boolean usage;

    public InstallException(String message) {
        this(message, null);
    }

    public InstallException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private InstallException(String message, Throwable cause, boolean usage) {
        super(message, cause, false, false);
        this.usage = usage;
    }

    /** A request that cannot be right whatever the network does (a malformed version, say). */
    static InstallException usage(String message) {
        return new InstallException(message, null, true);
    }

    /** The most telling message of an I/O failure and its causes (the JDK's are often null at the top). */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        // The JDK's HTTP client leaves some messages out; say in words what the class name says.
        return e instanceof java.net.ConnectException ? "connection refused"
                : e instanceof java.io.EOFException ? "unexpected end of data" : "input/output error";
    }

    /** True when the user asked for something wrong (exit 2), false when the install failed (exit 1). */
    public boolean usage() {
        return usage;
    }
}
