package dev.stigmer.cli.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs `temporal --version`, bounded in time and output, and reads what it says. */
final class VersionProbe {
    private static final long TIMEOUT_SECONDS = 20;
    private static final Pattern VERSION = Pattern.compile("temporal version v?(\\S+)");

    /** What one run said: its exit code and first line of output (null when it could not run). */
    record Answer(Integer exitCode, String firstLine, String failure) {
        boolean ok() {
            return exitCode != null && exitCode == 0;
        }

        /** "1.9.1" from "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)". */
        Optional<String> version() {
            Matcher m = firstLine == null ? null : VERSION.matcher(firstLine);
            return m != null && m.find() ? Optional.of(m.group(1)) : Optional.empty();
        }

        /** Why it does not count as an answer, in a few words. */
        String problem() {
            if (failure != null) {
                return failure;
            }
            return "exit " + exitCode + (firstLine == null || firstLine.isBlank() ? "" : ": " + firstLine);
        }
    }

    private VersionProbe() {
    }

    static Answer ask(Path binary) {
        Process process;
        try {
            process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return new Answer(null, null, InstallException.describe(e));
        }
        // Read on another thread: a child that keeps the pipe open must not hold us past the timeout.
        AtomicReference<String> output = new AtomicReference<>("");
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getInputStream()) {
                output.set(new String(in.readNBytes(8192), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // what was read is what counts
            }
        });
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Answer(null, null, "`--version` did not finish within " + TIMEOUT_SECONDS + " s");
            }
            reader.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return new Answer(null, null, "interrupted");
        }
        String first = output.get().lines().filter(line -> !line.isBlank()).findFirst().orElse("").strip();
        return new Answer(process.exitValue(), first, null);
    }
}
