package dev.stigmer.cli;

import dev.stigmer.control.ControlClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/** `stigmer`: the entry point. Errors are one line on stderr; stack traces go to logs/cli.log. */
@Command(name = "stigmer", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Developer tooling for Temporal. `stigmer local` runs a local Temporal and keeps it alive.",
        subcommands = {LocalCommand.class, TemporalCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = execute(args);
        System.out.flush();
        System.err.flush();
        // Not System.exit: it asks the logging system whether to log the exit, and starting that
        // costs ~10 ms of every call. Nothing is left to run: no shutdown hook of ours needs it
        // (the foreground one only matters when a signal ends the JVM, and the daemon is gone here).
        Runtime.getRuntime().halt(code);
    }

    static int execute(String... args) {
        CliLogHandler.install();
        if (isBareStartOrStatus(args)) {
            return runBare(args);
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            System.out.println(VersionLine.line());
            return 0;
        }
        CommandLine cli = new CommandLine(new Main());
        CommandLine local = cli.getSubcommands().get("local");
        StartOptions.describingOnly(local.getSubcommands().get("env").getCommandSpec());
        StartOptions.describingOnly(local.getSubcommands().get("config").getCommandSpec());
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            System.err.println("stigmer: " + e.getMessage() + suggestion(e, command) + " (see `" + command + " --help`)");
            return UserError.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e));
        return cli.execute(args);
    }

    /** "; did you mean `stigmer local`?" for a mistyped command or option picocli knows a close one to; else nothing. */
    private static String suggestion(CommandLine.ParameterException e, String command) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            String closest = unmatched.getSuggestions().getFirst();
            return "; did you mean " + (closest.startsWith("-") ? closest : "`" + command + " " + closest + "`") + "?";
        }
        return "";
    }

    /**
     * `stigmer local`, `local start`, `local status [--json]` with nothing else: the calls people
     * and scripts repeat most. They have no options to parse, so they skip building picocli's
     * command model: its Java 5 class files cannot go into the AOT cache, and building the model
     * costs ~150 ms of a ~250 ms run. Everything else, help and errors included, goes through
     * picocli. The end-to-end tests run both paths.
     */
    private static boolean isBareStartOrStatus(String[] args) {
        return switch (String.join(" ", args)) {
            case "local", "local start", "local status", "local status --json" -> true;
            default -> false;
        };
    }

    private static int runBare(String[] args) {
        ControlClient.warmUp();
        try {
            if (args.length >= 2 && args[1].equals("status")) {
                StatusCommand status = new StatusCommand();
                status.json = args.length == 3;
                return status.call();
            }
            return new StartFlow(new StartOptions(), Output.system()).start();
        } catch (Exception e) {
            return report(e);
        }
    }

    /** One line for the user; an unexpected error's stack trace goes to logs/cli.log. */
    private static int report(Exception e) {
        if (e instanceof UserError userError) {
            System.err.println("stigmer: " + userError.getMessage());
            return userError.exitCode();
        }
        java.nio.file.Path log = CliLogHandler.unexpected(e);
        System.err.println("stigmer: unexpected error: " + e + (log == null ? "" : " (details in " + log + ")"));
        return UserError.FAILURE;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** This build's identity (project version + build time), as the daemon reports its own. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{VersionLine.line()};
        }
    }
}
