package dev.stigmer.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** EVENTS on the control socket: an ok line, then one JSON line per object, until the client closes. */
class ControlStreamTest {

    @Test
    void aStreamSendsEachObjectAsALineAndEndsWhenTheClientCloses(@TempDir Path dir) throws Exception {
        AtomicReference<ControlServer.LineSink> sink = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        try (ControlServer server = ControlServer.start(dir.resolve("s.sock"),
                request -> ControlResponse.ok(null)).withStreams((request, lines) -> {
            sink.set(lines);
            opened.countDown();
            return ended::countDown;
        })) {
            ControlClient.LineStream stream = new ControlClient(dir.resolve("s.sock"))
                    .stream(ControlRequest.of(ControlRequest.Command.EVENTS), Duration.ofSeconds(5)).orElseThrow();
            assertThat(opened.await(5, TimeUnit.SECONDS)).isTrue();
            sink.get().send(StackEvent.stackChange(1, "api", "added"));
            assertThat(stream.readLine()).contains("\"component\":\"api\"").contains("\"change\":\"added\"");
            stream.close();
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("the stream's subscription ended with the client").isTrue();
        }
    }

    @Test
    void otherRequestsAreStillAnsweredOnce(@TempDir Path dir) throws Exception {
        try (ControlServer server = ControlServer.start(dir.resolve("s.sock"), request -> ControlResponse.ok(null))
                .withStreams((request, lines) -> () -> { })) {
            assertThat(new ControlClient(dir.resolve("s.sock")).send(ControlRequest.of(ControlRequest.Command.PING),
                    Duration.ofSeconds(5)).orElseThrow().ok()).isTrue();
        }
    }
}
