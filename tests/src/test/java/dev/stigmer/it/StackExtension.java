package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessSignals;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Hands each test a {@link Stack} with its own home and port, and afterwards proves the test
 * left nothing behind: `stigmer local stop`, then no live process may carry the home's mark
 * (zombies count as dead). Leftovers are killed and fail the test.
 */
final class StackExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Stack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            Path home = Files.createTempDirectory(Path.of("/tmp"), "stg-").resolve("home");
            Stack stack = new Stack(home);
            context.getStore(NS).put("stack", stack);
            return stack;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Stack stack = context.getStore(NS).get("stack", Stack.class);
        if (stack == null) {
            return;
        }
        CliResult stop = stack.run("local", "stop");
        List<ProcStat> left = stack.ownedProcesses();
        String daemonLog = left.isEmpty() ? "" : stack.log("daemon");
        List<String> commands = left.stream().map(p -> p.pid() + ": " + dev.stigmer.process.ProcessIdentity.of(p.pid())
                .map(dev.stigmer.process.ProcessIdentity::commandLine).orElse("?")).toList();
        for (ProcStat process : left) {
            ProcessSignals.send(process, Linux.SIGKILL);
        }
        Path dir = stack.home.getParent();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (stop.exitCode() != 0) {
            throw new AssertionError("stop after the test failed: " + stop);
        }
        if (!left.isEmpty()) {
            throw new AssertionError("the test left processes of its home alive after stop: " + left + " " + commands
                    + "\n--- stop: " + stop + "\n--- daemon log\n" + daemonLog);
        }
    }
}
