package dev.stigmer.daemon;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** "2026-11-27T08:00:00.123Z INFO  temporal: running" — one line per record, stack traces after. */
final class OneLineFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder()
                .append(Instant.ofEpochMilli(record.getMillis()))
                .append(' ').append(String.format("%-8s", record.getLevel().getName()))
                .append(formatMessage(record)).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
        }
        return line.toString();
    }
}
