package dev.stigmer.it;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The workflows and activities of the Java SDK conformance suite: each one exercises one thing a
 * user's code relies on (timers, signals, queries, updates, children, continue-as-new, retries,
 * heartbeats, cancellation, the workflow clock), written as a user would write it.
 */
final class ConformanceWorkflows {
    private ConformanceWorkflows() {
    }

    /** Every implementation, for one worker. */
    static final List<Class<?>> WORKFLOWS = List.of(TimerImpl.class, ClockImpl.class, MailboxImpl.class,
            ParentImpl.class, ChildImpl.class, CounterImpl.class, RetryingImpl.class, HeartbeatingImpl.class,
            SleeperImpl.class);

    @WorkflowInterface
    public interface Timer {
        /** Sleeps, then returns how much workflow time passed. */
        @WorkflowMethod
        long sleep(long millis);
    }

    public static final class TimerImpl implements Timer {
        @Override
        public long sleep(long millis) {
            long before = Workflow.currentTimeMillis();
            Workflow.sleep(Duration.ofMillis(millis));
            return Workflow.currentTimeMillis() - before;
        }
    }

    @WorkflowInterface
    public interface Clock {
        @WorkflowMethod
        long now();
    }

    public static final class ClockImpl implements Clock {
        @Override
        public long now() {
            return Workflow.currentTimeMillis();
        }
    }

    /** Collects items sent by signal or update until it has {@code count}; queryable meanwhile. */
    @WorkflowInterface
    public interface Mailbox {
        @WorkflowMethod
        List<String> collect(int count);

        @SignalMethod
        void put(String item);

        @UpdateMethod
        int add(String item);

        @UpdateValidatorMethod(updateName = "add")
        void validateAdd(String item);

        @QueryMethod
        List<String> items();
    }

    public static final class MailboxImpl implements Mailbox {
        private final List<String> items = new ArrayList<>();

        @Override
        public List<String> collect(int count) {
            Workflow.await(() -> items.size() >= count);
            return items;
        }

        @Override
        public void put(String item) {
            items.add(item);
        }

        @Override
        public int add(String item) {
            items.add(item);
            return items.size();
        }

        @Override
        public void validateAdd(String item) {
            if (item == null || item.isBlank()) {
                throw new IllegalArgumentException("an item must not be blank");
            }
        }

        @Override
        public List<String> items() {
            return items;
        }
    }

    @WorkflowInterface
    public interface Parent {
        @WorkflowMethod
        String greetThroughChild(String name);
    }

    public static final class ParentImpl implements Parent {
        @Override
        public String greetThroughChild(String name) {
            return "parent got: " + Workflow.newChildWorkflowStub(Child.class).greet(name);
        }
    }

    @WorkflowInterface
    public interface Child {
        @WorkflowMethod
        String greet(String name);
    }

    public static final class ChildImpl implements Child {
        @Override
        public String greet(String name) {
            return "hello " + name + " from " + Workflow.getInfo().getParentWorkflowId().orElse("nobody");
        }
    }

    /** Continues as new {@code remaining} times, then returns how many runs there were. */
    @WorkflowInterface
    public interface Counter {
        @WorkflowMethod
        int count(int remaining, int runs);
    }

    public static final class CounterImpl implements Counter {
        @Override
        public int count(int remaining, int runs) {
            if (remaining > 0) {
                Workflow.continueAsNew(remaining - 1, runs + 1);
            }
            return runs;
        }
    }

    @ActivityInterface
    public interface Activities {
        /** Fails until attempt {@code succeedOn}; returns the attempt that succeeded. */
        int failUntil(int succeedOn);

        /** Heartbeats once, then stalls for {@code stallMillis} without heartbeating. */
        String beatOnceThenStall(long stallMillis);
    }

    public static final class ActivitiesImpl implements Activities {
        @Override
        public int failUntil(int succeedOn) {
            int attempt = Activity.getExecutionContext().getInfo().getAttempt();
            if (attempt < succeedOn) {
                throw ApplicationFailure.newFailure("attempt " + attempt + " fails on purpose", "Flaky");
            }
            return attempt;
        }

        @Override
        public String beatOnceThenStall(long stallMillis) {
            Activity.getExecutionContext().heartbeat("alive");
            try {
                Thread.sleep(stallMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "finished after the stall";
        }
    }

    @WorkflowInterface
    public interface Retrying {
        @WorkflowMethod
        int run(int succeedOn);
    }

    public static final class RetryingImpl implements Retrying {
        private final Activities activities = Workflow.newActivityStub(Activities.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(500))
                        .setBackoffCoefficient(2).setMaximumAttempts(5).build())
                .build());

        @Override
        public int run(int succeedOn) {
            return activities.failUntil(succeedOn);
        }
    }

    /** Returns the timeout type the activity failed with, or its result when it did not fail. */
    @WorkflowInterface
    public interface Heartbeating {
        @WorkflowMethod
        String run(long heartbeatTimeoutMillis, long stallMillis);
    }

    public static final class HeartbeatingImpl implements Heartbeating {
        @Override
        public String run(long heartbeatTimeoutMillis, long stallMillis) {
            Activities activities = Workflow.newActivityStub(Activities.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofSeconds(60))
                    .setHeartbeatTimeout(Duration.ofMillis(heartbeatTimeoutMillis))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                    .build());
            try {
                return activities.beatOnceThenStall(stallMillis);
            } catch (ActivityFailure failure) {
                return failure.getCause() instanceof TimeoutFailure timeout
                        ? timeout.getTimeoutType().name() : "failed: " + failure.getCause();
            }
        }
    }

    /** Sleeps an hour: only a cancellation ends it in a test's lifetime. */
    @WorkflowInterface
    public interface Sleeper {
        @WorkflowMethod
        String sleepAnHour();
    }

    public static final class SleeperImpl implements Sleeper {
        @Override
        public String sleepAnHour() {
            Workflow.sleep(Duration.ofHours(1));
            return "woke up after an hour";
        }
    }
}
