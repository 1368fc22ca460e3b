package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Stop everything, then start again (with new settings, if given).")
final class RestartCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Override
    public Integer call() {
        Output output = Output.system();
        StartFlow flow = new StartFlow(options, output);
        flow.settings(); // bad input fails before anything is stopped
        new StopFlow(flow.daemon(), output).stop();
        return flow.start();
    }
}
