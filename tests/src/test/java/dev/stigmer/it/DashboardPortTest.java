package dev.stigmer.it;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Where the dashboard listens, what happens when it cannot, and `stigmer local ui`. */
@ExtendWith(StackExtension.class)
class DashboardPortTest {

    @Test
    void aTakenPortNeverStopsTheStackAndStatusSaysWhoHoldsIt(Stack stack) throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            stack.env.put("STIGMER_DASHBOARD_PORT", Integer.toString(squatter.getLocalPort()));
            stack.start();
            JsonObject daemon = stack.status().getAsJsonObject("daemon");
            assertThat(daemon.get("dashboard").isJsonNull()).isTrue();
            assertThat(daemon.getAsJsonArray("degraded").toString()).contains("dashboard unavailable")
                    .contains("port " + squatter.getLocalPort() + " is in use by pid " + ProcessHandle.current().pid());
            assertThat(stack.temporalState()).isEqualTo("running");
            CliResult status = stack.run("local", "status");
            assertThat(status.stdout()).contains("dashboard unavailable");
            CliResult ui = stack.run("local", "ui", "--no-open");
            assertThat(ui.exitCode()).isEqualTo(1);
            assertThat(ui.stderr()).contains("in use by pid " + ProcessHandle.current().pid()).contains("STIGMER_DASHBOARD_PORT");
        }
    }

    @Test
    void offMeansNoDashboard(Stack stack) {
        stack.env.put("STIGMER_DASHBOARD_PORT", "off");
        stack.start();
        assertThat(stack.status().getAsJsonObject("daemon").get("dashboard").isJsonNull()).isTrue();
        CliResult ui = stack.run("local", "ui");
        assertThat(ui.exitCode()).isEqualTo(1);
        assertThat(ui.stderr()).contains("off");
    }

    @Test
    void theDefaultPortIsDerivedFromTemporals(Stack stack) {
        int expected = stack.port + 1100;
        org.junit.jupiter.api.Assumptions.assumeTrue(Stack.isFree(expected), "port " + expected + " is taken here");
        stack.start();
        assertThat(stack.status().getAsJsonObject("daemon").get("dashboard").getAsString())
                .isEqualTo("http://127.0.0.1:" + expected + "/");
    }

    @Test
    void uiWithoutADaemonExits3(Stack stack) {
        CliResult ui = stack.run("local", "ui");
        assertThat(ui.exitCode()).isEqualTo(3);
        assertThat(ui.stderr()).contains("not running");
    }

    @Test
    void uiOpensBrowserWithAPrivateFileNotTheTokenAndNeverWaits(Stack stack) throws Exception {
        stack.env.put("STIGMER_DASHBOARD_PORT", "0");
        stack.start();
        Path opened = stack.home.resolveSibling("opened.txt");
        Path browser = stack.home.resolveSibling("browser.sh");
        // A browser that keeps running, as a real one does: ui must return at once anyway.
        Path pid = stack.home.resolveSibling("browser.pid");
        Files.writeString(browser, "#!/bin/sh\necho $$ > " + pid + "\necho \"$@\" > " + opened + "\nexec sleep 30\n");
        browser.toFile().setExecutable(true);
        CliResult ui = stack.run(Map.of("BROWSER", browser.toString()), "local", "ui");
        assertThat(ui.exitCode()).as(ui.toString()).isZero();
        assertThat(ui.millis()).isLessThan(10_000);
        String url = ui.stdout().lines().toList().getLast();
        String token = Files.readString(stack.stigmerHome().dashboardToken()).strip();
        assertThat(url).endsWith("/?token=" + token);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(opened) && !Files.readString(opened).isBlank());
        String argument = Files.readString(opened).strip();
        assertThat(argument).startsWith("file:///").doesNotContain(token);
        Path forward = Path.of(java.net.URI.create(argument));
        assertThat(Files.readString(forward)).contains(url);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(forward)))
                .isEqualTo("rw-------");
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
    }
}
