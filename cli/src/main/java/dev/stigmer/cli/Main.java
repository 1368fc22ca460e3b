package dev.stigmer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;


/** `stigmer`: the entry point. Errors are one line on stderr; stack traces go to logs/cli.log. */
@Command(name = "stigmer", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Developer tooling for Temporal. `stigmer local` runs a local Temporal and keeps it alive.",
        subcommands = {LocalCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CliLogHandler.install();
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            String help = e.getCommandLine().getCommandSpec().qualifiedName() + " --help";
            System.err.println("stigmer: " + e.getMessage() + " (see `" + help + "`)");
            return UserError.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof UserError userError) {
                System.err.println("stigmer: " + userError.getMessage());
                return userError.exitCode();
            }
            java.nio.file.Path log = CliLogHandler.unexpected(e);
            System.err.println("stigmer: unexpected error: " + e + (log == null ? "" : " (details in " + log + ")"));
            return UserError.FAILURE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[]{"stigmer " + (version == null ? "dev" : version)
                    + " (Java " + Runtime.version().feature() + ")"};
        }
    }
}
