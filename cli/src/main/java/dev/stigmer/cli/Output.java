package dev.stigmer.cli;

import java.io.PrintStream;

/**
 * What the user sees. On a terminal: a live progress line while waiting; without one (a pipe, a
 * log, CI): plain lines only, no control characters.
 */
final class Output {
    private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

    private final PrintStream out;
    private final boolean terminal;
    private int frame;
    private boolean progressShown;
    private String lastPlain;

    Output(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    static Output system() {
        var console = System.console();
        return new Output(System.out, console != null && console.isTerminal());
    }

    boolean terminal() {
        return terminal;
    }

    /** A progress line: redrawn in place on a terminal, printed once per distinct text otherwise. */
    void progress(String text, long elapsedMillis) {
        if (terminal) {
            out.print("\r\033[2K" + SPINNER[frame++ % SPINNER.length] + " " + text + " "
                    + Durations.format(java.time.Duration.ofMillis(elapsedMillis)));
            out.flush();
            progressShown = true;
        } else if (!text.equals(lastPlain)) {
            out.println(text);
            lastPlain = text;
        }
    }

    void line(String text) {
        clearProgress();
        out.println(text);
    }

    void success(String text) {
        line(terminal ? "\033[32m✓\033[0m " + text : text);
    }

    void clearProgress() {
        if (progressShown) {
            out.print("\r\033[2K");
            out.flush();
            progressShown = false;
        }
    }
}
