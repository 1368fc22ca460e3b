package dev.stigmer.it;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uptime is the daemon's to measure, on its monotonic clock: the CLI's wall clock may be behind
 * the daemon's (here an hour, set with a small LD_PRELOAD shim on clock_gettime).
 */
@ExtendWith(StackExtension.class)
class UptimeTest {
    private static final String SHIM = """
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <stdlib.h>
            #include <time.h>
            int clock_gettime(clockid_t id, struct timespec *ts) {
              static int (*real)(clockid_t, struct timespec *);
              if (!real) real = dlsym(RTLD_NEXT, "clock_gettime");
              int r = real(id, ts);
              const char *offset = getenv("STIGMER_TEST_CLOCK_OFFSET");
              if (r == 0 && id == CLOCK_REALTIME && offset) ts->tv_sec += atol(offset);
              return r;
            }
            """;

    @Test
    void uptimeIsRightWhenTheCliClockIsBehindTheDaemons(Stack stack) throws Exception {
        Path shim = compileShim(stack.home.resolveSibling("shim"));
        // Started with every clock an hour ahead: the daemon keeps its clock; the CLI below is behind it.
        CliResult start = stack.run(Map.of("LD_PRELOAD", shim.toString(), "STIGMER_TEST_CLOCK_OFFSET", "3600"),
                "local", "start");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        Thread.sleep(2_000);

        CliResult status = stack.run("local", "status");
        Matcher up = Pattern.compile("up ([0-9.]+) s").matcher(status.stdout());
        assertThat(up.find()).as(status.toString()).isTrue();
        assertThat(Double.parseDouble(up.group(1))).as(status.toString()).isGreaterThanOrEqualTo(2.0).isLessThan(60);
        JsonObject daemon = stack.status().getAsJsonObject("daemon");
        assertThat(daemon.get("uptimeMillis").getAsLong()).isGreaterThanOrEqualTo(2_000);
        assertThat(status.stdout()).as("Temporal's uptime, on the daemon's clock").doesNotContain(" 0 ms");
    }

    private static Path compileShim(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path source = Files.writeString(dir.resolve("clock-offset.c"), SHIM);
        Path library = dir.resolve("clock-offset.so");
        Process gcc = new ProcessBuilder(List.of("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(),
                source.toString(), "-ldl")).redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("this test builds a clock shim with gcc: " + output).isZero();
        return library;
    }
}
