package dev.stigmer.cli;

import dev.stigmer.control.ControlClient;
import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.StackEvent;
import dev.stigmer.os.Linux;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Print the stack's events as they happen, until Ctrl-C: each component's transitions "
                + "(time, component, from -> to, pid, reason) and changes of the stack (added, replaced, removed).",
                "One line each; JSON lines with --json (for scripts and CI). Exit 3 when no daemon runs; 141 as soon "
                        + "as its output is closed (`| head -1`); 1 when the daemon stops."})
final class EventsCommand implements Callable<Integer> {
    private static final int STDOUT = 1;
    private static final int RUNNING = -1;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Option(names = "--json", description = "One JSON object per line: type, time, component, from, to, pid, reason, change.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        StigmerHome home = Homes.current();
        Optional<ControlClient.LineStream> opened = new ControlClient(home.socket())
                .stream(ControlRequest.of(ControlRequest.Command.EVENTS), Daemon.REQUEST_TIMEOUT);
        if (opened.isEmpty()) {
            System.err.println("stigmer local is not running (home " + home.root() + "): `stigmer local` starts it");
            return StatusCommand.NOT_RUNNING;
        }
        ControlClient.LineStream stream = opened.get();
        AtomicInteger outcome = new AtomicInteger(RUNNING);
        // Lines are printed as they come, on their own thread; this one watches stdout, so that a
        // closed pipe ends us at once even while no event comes.
        Thread reader = Thread.ofPlatform().daemon().name("events").start(() -> {
            try {
                for (String line = stream.readLine(); line != null; line = stream.readLine()) {
                    System.out.println(json ? line : describe(Json.read(line, StackEvent.class)));
                    if (System.out.checkError()) {
                        outcome.compareAndSet(RUNNING, LogsCommand.OUTPUT_CLOSED);
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the daemon went away
            }
            outcome.compareAndSet(RUNNING, UserError.FAILURE);
        });
        while (outcome.get() == RUNNING) {
            if (Linux.awaitOutputClosed(STDOUT, 200)) {
                outcome.compareAndSet(RUNNING, LogsCommand.OUTPUT_CLOSED);
            }
        }
        stream.close();
        if (outcome.get() == UserError.FAILURE) {
            try {
                reader.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.println("stigmer: the stigmer daemon stopped; no more events");
        }
        return outcome.get();
    }

    /** "12:00:01.234 api running -> backoff pid 4242 (exit 137)", "12:00:01.300 api added". */
    static String describe(StackEvent event) {
        StringBuilder line = new StringBuilder(TIME.format(Instant.ofEpochMilli(event.time()))).append(' ')
                .append(event.component()).append(' ');
        if (StackEvent.STACK.equals(event.type())) {
            return line.append(event.change()).toString();
        }
        line.append(event.from() == null ? "-" : event.from().label()).append(" -> ").append(event.to().label());
        if (event.pid() != null) {
            line.append(" pid ").append(event.pid());
        }
        if (event.reason() != null) {
            line.append(" (").append(event.reason()).append(')');
        }
        return line.toString();
    }
}
