package dev.stigmer.control;

import java.util.Objects;

/**
 * What a start asks for, resolved by the CLI (flag over environment over stack file over
 * default). The explicit flags say which values the user chose: only those must agree with a
 * running instance.
 *
 * @param temporalBin the temporal executable, or null for the embedded Temporal
 * @param options     the stack file's Temporal options; null without a stack file (a start
 *                    from elsewhere has no say on them, and the running ones stay)
 * @param external    a Temporal that runs elsewhere, declared in the stack file (then nothing runs
 *                    Temporal here and port, bin and options are unused); null: a local one
 */
public record LocalSettings(int temporalPort, boolean portExplicit, String temporalBin, boolean binExplicit,
                            long timeoutMillis, long healthIntervalMillis, long healthTimeoutMillis,
                            long stopGraceMillis, TemporalOptions options, ExternalTemporal external) {

    /** A local Temporal, without a say on its options. */
    public LocalSettings(int temporalPort, boolean portExplicit, String temporalBin, boolean binExplicit,
                         long timeoutMillis, long healthIntervalMillis, long healthTimeoutMillis, long stopGraceMillis) {
        this(temporalPort, portExplicit, temporalBin, binExplicit, timeoutMillis, healthIntervalMillis,
                healthTimeoutMillis, stopGraceMillis, null, null);
    }

    /**
     * SHA-256 of Temporal's definition, in the scheme of a service's: what shapes the process and
     * how it is watched and stopped (port, binary, options, health interval and timeout, stop
     * grace, the external Temporal). Not the CLI's --timeout, nor which values were explicit: those
     * are about one call, not about Temporal. A START whose hash differs replaces Temporal.
     */
    public String specHash() {
        return dev.stigmer.stack.SpecHash.of(java.util.Arrays.asList(temporalPort, temporalBin, temporalOptions(),
                healthIntervalMillis, healthTimeoutMillis, stopGraceMillis, external));
    }

    /** The options Temporal runs with: the file's, else the defaults. */
    public TemporalOptions temporalOptions() {
        return options == null ? TemporalOptions.NONE : options;
    }

    public String mode() {
        return external != null ? "external" : temporalBin == null ? "embedded" : "cli";
    }

    /** Where clients reach Temporal: the external address, or the local port on loopback. */
    public String temporalAddress() {
        return external != null ? external.address() : "127.0.0.1:" + temporalPort;
    }

    /** Why {@code this} request cannot be served by an instance started with {@code running}; null if it can. */
    public String conflictWith(LocalSettings running) {
        if (running.external() != null && external == null) {
            // Port and binary mean nothing to an external Temporal: asking for one is asking for a local Temporal.
            return portExplicit || binExplicit ? externalConflictWith(running) : null;
        }
        if (portExplicit && temporalPort != running.temporalPort()) {
            return "it serves Temporal on port " + running.temporalPort() + ", not " + temporalPort;
        }
        if (binExplicit && !Objects.equals(temporalBin, running.temporalBin())) {
            return "it runs " + describeBin(running.temporalBin()) + ", not " + describeBin(temporalBin);
        }
        if (external != null && !external.equals(running.external())) {
            return "it " + describeTemporal(running) + ", not the external Temporal at " + external.describe();
        }
        if (external == null && options != null && !options.equals(running.temporalOptions())) {
            return "its Temporal runs with other options (namespaces, search attributes, ...)";
        }
        return null;
    }

    /**
     * Why a request from a stack file (which says whether Temporal is external, and which) cannot
     * be served by {@code running}; null if it can. Without a stack file nothing is said about it.
     */
    public String externalConflictWith(LocalSettings running) {
        if (Objects.equals(external, running.external())) {
            return null;
        }
        return "it " + describeTemporal(running) + ", not "
                + (external == null ? "a local one" : "the external Temporal at " + external.describe());
    }

    private static String describeTemporal(LocalSettings settings) {
        return settings.external() == null ? "runs a local Temporal"
                : "uses the external Temporal at " + settings.external().describe();
    }

    private static String describeBin(String bin) {
        return bin == null ? "the embedded Temporal" : bin;
    }
}
