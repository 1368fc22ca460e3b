package dev.stigmer.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * `stigmer completion bash|zsh`: the shell completion script, generated from the command model by
 * picocli's AutoComplete (so it never drifts from the commands). The release archive ships the same
 * text in share/ (./package runs this command). zsh runs the bash functions through bashcompinit.
 */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Print the shell completion script for bash or zsh.",
                "bash: add `source <(stigmer completion bash)` to ~/.bashrc, or save the output as "
                        + "~/.local/share/bash-completion/completions/stigmer.",
                "zsh: add `source <(stigmer completion zsh)` to ~/.zshrc after compinit, or save the output as "
                        + "_stigmer in a directory of your fpath."})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", description = "bash or zsh")
    Shell shell;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        System.out.print(script(shell, spec.root().commandLine()));
        return 0;
    }

    static String script(Shell shell, CommandLine root) {
        String bash = AutoComplete.bash("stigmer", root);
        if (shell == Shell.bash) {
            return bash;
        }
        // As a file _stigmer in fpath, compinit runs this text as the function _stigmer on the first
        // Tab: it defines the functions and registers them, and must then answer that Tab itself.
        // There the whole file is parsed before it runs, so picocli's `alias compopt=complete` comes
        // too late for its functions: bash's compopt (no such thing in zsh) becomes a no-op.
        return "#compdef stigmer\n"
                + "whence compopt >/dev/null || compopt() { :; }\n"
                + bash.replaceFirst("^#!.*\n", "")
                + "\nif [ \"${funcstack[1]}\" = _stigmer ]; then\n"
                + "  _bash_complete -F _complete_stigmer -o default\nfi\n";
    }
}
