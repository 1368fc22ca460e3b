package dev.stigmer.cli;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.StatusReport;
import dev.stigmer.state.AtomicFile;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "ui", mixinStandardHelpOptions = true,
        description = {"Print the dashboard's URL (with its access token) and open it in a browser when one can be "
                + "opened ($BROWSER, or xdg-open with a display). Never waits for the browser.",
                "Exit 3 when no daemon runs, 1 when the dashboard is off or unavailable (status says why)."})
final class UiCommand implements Callable<Integer> {
    @Option(names = "--no-open", description = "Only print the URL.")
    boolean noOpen;

    @Override
    public Integer call() throws IOException {
        StigmerHome home = Homes.current();
        Optional<StatusReport> report = new Daemon(home).send(ControlRequest.of(ControlRequest.Command.STATUS))
                .map(ControlResponse::status);
        if (report.isEmpty()) {
            System.err.println("stigmer local is not running (home " + home.root() + "): `stigmer local` starts it, "
                    + "and its dashboard");
            return StatusCommand.NOT_RUNNING;
        }
        StatusReport.DaemonInfo daemon = report.get().daemon();
        if (daemon.dashboard() == null && report.get().components().isEmpty()) {
            // It starts with Temporal's first definition: its default port derives from Temporal's.
            throw new UserError("the dashboard starts with the first `stigmer local`, and this daemon has run "
                    + "nothing yet: run `stigmer local`");
        }
        if (daemon.dashboard() == null) {
            String why = daemon.degraded().stream().filter(note -> note.startsWith("dashboard")).findFirst()
                    .orElse("the dashboard is off (STIGMER_DASHBOARD_PORT=off when the daemon started); "
                            + "unset it and run `stigmer local restart`");
            throw new UserError(why);
        }
        Path tokenFile = home.dashboardToken();
        String token;
        try {
            token = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UserError("cannot read the dashboard's token (" + tokenFile + "): " + e.getMessage()
                    + "; `stigmer local restart` makes a new one");
        }
        String url = daemon.dashboard() + "?token=" + token;
        if (!noOpen) {
            open(home, url).ifPresent(how -> System.err.println("Opening the dashboard with " + how + "."));
        }
        System.out.println(url);
        return 0;
    }

    /**
     * Hands the browser a private file that forwards to the URL, not the URL itself: a command
     * line is readable by every user of the machine (/proc/PID/cmdline), the token must not be.
     * Started in a session of its own, output discarded, never waited for.
     */
    private static Optional<String> open(StigmerHome home, String url) {
        List<String> command = browser();
        if (command.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path forward = home.runDir().resolve("dashboard-open.html");
            String escaped = url.replace("&", "&amp;").replace("\"", "&quot;");
            AtomicFile.write(forward, "<!DOCTYPE html><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
                    + "<meta http-equiv=\"refresh\" content=\"0;url=" + escaped + "\"><title>stigmer local</title>"
                    + "<a href=\"" + escaped + "\">stigmer local's dashboard</a>\n");
            String target = forward.toUri().toString();
            List<String> argv = new ArrayList<>(List.of("setsid"));
            boolean placed = false;
            for (String word : command) {
                placed |= word.contains("%s");
                argv.add(word.replace("%s", target));
            }
            if (!placed) {
                argv.add(target);
            }
            new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return Optional.of(command.getFirst());
        } catch (IOException | RuntimeException e) {
            CliLogHandler.unexpected(e);
            System.err.println("stigmer: cannot open a browser (" + e.getMessage() + "); open the URL below");
            return Optional.empty();
        }
    }

    /** $BROWSER (its first entry: the variable is a colon-separated list), else xdg-open when there is a display. */
    private static List<String> browser() {
        Map<String, String> env = System.getenv();
        String browser = env.get("BROWSER");
        if (browser != null && !browser.isBlank()) {
            return List.of(browser.split(":")[0].trim().split("\\s+"));
        }
        boolean display = !env.getOrDefault("DISPLAY", "").isEmpty() || !env.getOrDefault("WAYLAND_DISPLAY", "").isEmpty();
        if (display) {
            for (String dir : env.getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "xdg-open"))) {
                    return List.of(Path.of(dir, "xdg-open").toString());
                }
            }
        }
        return List.of();
    }
}
