package dev.stigmer.it;

import dev.stigmer.os.Linux;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The core of the conformance suite from the TypeScript SDK (tests/ts): most Temporal users are
 * not Java users, and its worker runs on the SDK's native core. The packages come from npm,
 * pinned in tests/ts/package-lock.json, installed here on first use when .ci/run has not.
 */
@ExtendWith(StackExtension.class)
class TypeScriptConformanceTest {
    static final Path SUITE = Stack.ROOT.resolve("tests/ts");
    private static final List<String> CHECKS = List.of(
            "a 2 s timer takes at least 2 s of wall time",
            "the workflow clock is within seconds of the wall clock",
            "a workflow waits for a signal; queries see its state",
            "update returns a result; a rejected update changes nothing",
            "signal-with-start starts and signals in one call");

    @BeforeAll
    static void installTheSdkFromNpm() throws Exception {
        if (Files.isDirectory(SUITE.resolve("node_modules/@temporalio/worker"))) {
            return;
        }
        Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5));
        assertThat(install.code()).as("npm ci in " + SUITE + " (needs Node.js 18+ and the npm registry):\n"
                + install.output()).isZero();
    }

    @Test
    void typeScriptSdkBehavesAsOnARealTemporalBeforeAndAfterKillNine(Stack stack) throws Exception {
        stack.start();
        assertEveryCheckPassed(stack);

        long pid = stack.temporalPid();
        Linux.kill(pid, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.temporalPid() != pid);
        stack.awaitServing();
        assertEveryCheckPassed(stack);
    }

    private static void assertEveryCheckPassed(Stack stack) throws Exception {
        Run suite = run(List.of("node", "conformance.js", stack.address()), Duration.ofMinutes(3));
        List<String> lines = suite.output().lines().toList();
        for (String check : CHECKS) {
            assertThat(lines).as(suite.output()).anyMatch(line -> line.startsWith("ok " + check + " ("));
        }
        assertThat(lines).as(suite.output()).noneMatch(line -> line.startsWith("FAIL "));
        assertThat(suite.code()).as(suite.output()).isZero();
    }

    private record Run(int code, String output) {
    }

    private static Run run(List<String> command, Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ts-conformance", ".txt");
        try {
            Process process = new ProcessBuilder(command).directory(SUITE.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                return new Run(-1, Files.readString(out) + "\n(killed after " + limit + ")");
            }
            return new Run(process.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
