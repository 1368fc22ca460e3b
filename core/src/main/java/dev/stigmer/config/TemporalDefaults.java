package dev.stigmer.config;

/** What a local Temporal is unless told otherwise, named once for every module. */
public final class TemporalDefaults {
    /** Its name in the stack: reserved for it, the name of its log and record. */
    public static final String NAME = "temporal";
    /** The gRPC port of `temporal server start-dev`. */
    public static final int PORT = 7233;
    /** The real CLI's web UI listens at the gRPC port plus this, unless ui_port says otherwise. */
    public static final int UI_PORT_OFFSET = 1000;
    public static final String LOOPBACK = "127.0.0.1";

    private TemporalDefaults() {
    }
}
