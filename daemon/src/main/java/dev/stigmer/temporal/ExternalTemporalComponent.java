package dev.stigmer.temporal;

import dev.stigmer.control.ExternalTemporal;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.health.TemporalProbe;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcessTree;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.probe.ProbeSchedule;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/** An external Temporal as a stack member: watched on the local Temporal's health schedule, never run. */
public final class ExternalTemporalComponent {
    private static final System.Logger LOG = System.getLogger("stigmer.external");
    public static final String MODE = "external";

    private ExternalTemporalComponent() {
    }

    /** @param apiKey the API key the last `stigmer local` sent (null: none yet, or none declared) */
    public static ExternalWatcher watcher(LocalSettings settings, StigmerHome home, Supplier<String> apiKey) {
        ExternalTemporal external = settings.external();
        ProbeSchedule schedule = new ProbeSchedule(new TemporalProbe(external, apiKey),
                Duration.ofMillis(settings.healthIntervalMillis()), Duration.ofMillis(settings.healthTimeoutMillis()), 3);
        Supplier<String> waitingFor = () -> external.apiKey() && apiKey.get() == null
                ? "waiting for the API key from `stigmer local`" : null;
        return new ExternalWatcher(TemporalComponent.NAME, TemporalComponent.NAME, MODE, external.address(), schedule,
                waitingFor, () -> CompletableFuture.runAsync(() -> stopLocalLeftovers(home),
                        runnable -> Thread.ofVirtual().name("external-recovery").start(runnable)));
    }

    /**
     * A local Temporal left by an earlier daemon (killed before it could stop it) has no one to
     * stop it now that Temporal is external: stop it, and forget its record.
     */
    private static void stopLocalLeftovers(StigmerHome home) {
        Ownership local = new Ownership(home.root(), TemporalComponent.NAME);
        if (!Ownership.scan(home.root()).getOrDefault(TemporalComponent.NAME, java.util.List.of()).isEmpty()) {
            LOG.log(INFO, "a local Temporal left by an earlier daemon: stopping it (Temporal is external now)");
            new ProcessTree(local, Optional.empty()).stop(StopPolicy.DEFAULT);
        }
        try {
            Files.deleteIfExists(home.componentRecord(TemporalComponent.NAME));
        } catch (IOException e) {
            LOG.log(WARNING, "cannot delete " + home.componentRecord(TemporalComponent.NAME), e);
        }
    }
}
