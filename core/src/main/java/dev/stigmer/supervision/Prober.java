package dev.stigmer.supervision;

import dev.stigmer.probe.ProbeSchedule;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * Runs one probe on its schedule for a component: every {@code interval} (the next check after
 * the last one's answer, never two at once), each bounded by {@code timeout}, counting failures
 * in a row against the threshold. The check runs off the loop; its result is handed to the
 * component on its loop, and only if it belongs to the current round: a {@link #stop()} or a new
 * {@link #start} makes every check still under way stale.
 * <p>
 * Confined to its component's loop: call it only from there.
 */
public final class Prober {
    private final EventLoop loop;
    private final ProbeSchedule schedule;

    private long round;
    private int failuresInARow;
    private ScheduledFuture<?> next;

    /** One check: blocking, bounded by the timeout it is given. */
    @FunctionalInterface
    public interface Check {
        ProbeOutcome check(Duration timeout) throws Exception;
    }

    /**
     * One answer and where the streak stands.
     *
     * @param micros how long the check took
     */
    public record Result(ProbeOutcome outcome, int failuresInARow, int threshold, long micros) {
        public boolean healthy() {
            return outcome.result().healthy();
        }

        public String detail() {
            return outcome.result().detail();
        }

        /** True once {@code threshold} checks in a row failed. */
        public boolean thresholdReached() {
            return failuresInARow >= threshold;
        }

        /** What status says while it fails below the threshold: "health check failing (2 of 3): DETAIL". */
        public String failing(String what) {
            return what + " failing (" + failuresInARow + " of " + threshold + "): " + detail();
        }
    }

    public Prober(EventLoop loop, ProbeSchedule schedule) {
        this.loop = loop;
        this.schedule = schedule;
    }

    public ProbeSchedule schedule() {
        return schedule;
    }

    /** The probe itself, asked directly. */
    public Check probe() {
        return timeout -> ProbeOutcome.of(schedule.probe().check(timeout));
    }

    /**
     * Begins a new round (ending the one before): the first check after {@code firstDelay}, then one
     * every interval after each answer, each answer to {@code onResult}, until {@link #stop()}.
     */
    public void start(Check check, Duration firstDelay, Consumer<Result> onResult) {
        stop();
        long myRound = round;
        next = loop.schedule(() -> run(myRound, check, onResult), firstDelay);
    }

    /** Ends the round: no further check, and no answer of one under way. The failure count starts over. */
    public void stop() {
        round++;
        failuresInARow = 0;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    private void run(long myRound, Check check, Consumer<Result> onResult) {
        if (myRound != round) {
            return;
        }
        long started = System.nanoTime();
        loop.offLoop(() -> check.check(schedule.timeout()),
                outcome -> answered(myRound, check, outcome, started, onResult),
                failure -> answered(myRound, check, ProbeOutcome.failed(failure.toString()), started, onResult));
    }

    private void answered(long myRound, Check check, ProbeOutcome outcome, long started, Consumer<Result> onResult) {
        if (myRound != round) {
            return; // a check of a round that has ended
        }
        long micros = (System.nanoTime() - started) / 1_000;
        failuresInARow = outcome.result().healthy() ? 0 : failuresInARow + 1;
        onResult.accept(new Result(outcome, failuresInARow, schedule.failures(), micros));
        if (myRound == round) { // the component may have stopped or restarted the round meanwhile
            next = loop.schedule(() -> run(myRound, check, onResult), schedule.interval());
        }
    }
}
