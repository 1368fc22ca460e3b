package dev.stigmer.cli.install;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What a download shows. On a terminal: a bar redrawn in place (bytes of total), at most ten
 * times a second. Otherwise (a pipe, a log, CI): a line at the start, at each quarter, and at the
 * end; no control characters.
 */
final class DownloadProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private long total = -1;
    private long started;
    private long lastDrawn;
    private int quartersShown;
    private boolean barShown;

    DownloadProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** @param total the announced length in bytes, or -1 when the server did not say */
    void started(String what, long total) {
        this.total = total;
        this.started = System.nanoTime();
        out.println("Downloading " + what + (total >= 0 ? " (" + size(total) + ")" : ""));
        draw(0, true);
    }

    void advanced(long received) {
        draw(received, false);
    }

    void finished(long received) {
        if (terminal) {
            draw(received, true); // the full bar, however fast the last chunks came
        }
        clear();
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 0.001);
        out.println("Downloaded " + size(received) + " in " + String.format(Locale.ROOT, "%.1f s", seconds)
                + " (" + size((long) (received / seconds)) + "/s)");
    }

    /** A failed download: the bar goes, so the error line stands alone. */
    void abandoned() {
        clear();
    }

    private void draw(long received, boolean first) {
        if (terminal) {
            long now = System.nanoTime();
            if (!first && now - lastDrawn < REDRAW_NANOS) {
                return;
            }
            lastDrawn = now;
            String bar;
            if (total > 0) {
                int filled = (int) Math.min(WIDTH, received * WIDTH / total);
                bar = "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + size(received) + " of " + size(total);
            } else {
                bar = size(received) + " received";
            }
            out.print("\r\033[2K  " + bar);
            out.flush();
            barShown = true;
        } else if (total > 0) {
            int quarter = (int) Math.min(4, received * 4 / total);
            if (quarter > quartersShown && quarter < 4) { // the end has its own line
                quartersShown = quarter;
                out.println("  " + quarter * 25 + "% (" + size(received) + " of " + size(total) + ")");
            }
        }
    }

    private void clear() {
        if (barShown) {
            out.print("\r\033[2K");
            out.flush();
            barShown = false;
        }
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
