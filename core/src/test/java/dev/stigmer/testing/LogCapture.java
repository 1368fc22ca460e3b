package dev.stigmer.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What the code under test logs (System.Logger goes to java.util.logging) on one logger, while open. */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    public static LogCapture of(String loggerName) {
        LogCapture capture = new LogCapture(Logger.getLogger(loggerName));
        capture.logger.addHandler(capture);
        return capture;
    }

    /** Messages logged at {@code level} or above so far. */
    public List<String> messages(Level level) {
        synchronized (records) {
            return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue())
                    .map(LogRecord::getMessage).toList();
        }
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
