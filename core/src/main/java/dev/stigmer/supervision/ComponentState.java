package dev.stigmer.supervision;

import com.google.gson.annotations.SerializedName;

/** Where a component is in its life. The transitions live in {@link Supervisor}, in one place. */
public enum ComponentState {
    /** Spawned, not yet answering its readiness probe. */
    @SerializedName("starting") STARTING,
    /** Ready and passing liveness checks. */
    @SerializedName("running") RUNNING,
    /** Failed its liveness check too often; being replaced. */
    @SerializedName("unhealthy") UNHEALTHY,
    /** Exited; waiting before the next start. */
    @SerializedName("backoff") BACKOFF,
    /** Gave up: too many failed starts, or a cause no retry can fix (a taken port). */
    @SerializedName("failed") FAILED,
    @SerializedName("stopping") STOPPING,
    @SerializedName("stopped") STOPPED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
