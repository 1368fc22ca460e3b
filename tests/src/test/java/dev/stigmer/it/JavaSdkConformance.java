package dev.stigmer.it;

import dev.stigmer.it.ConformanceWorkflows.Child;
import dev.stigmer.it.ConformanceWorkflows.Clock;
import dev.stigmer.it.ConformanceWorkflows.Counter;
import dev.stigmer.it.ConformanceWorkflows.Heartbeating;
import dev.stigmer.it.ConformanceWorkflows.Mailbox;
import dev.stigmer.it.ConformanceWorkflows.Parent;
import dev.stigmer.it.ConformanceWorkflows.Retrying;
import dev.stigmer.it.ConformanceWorkflows.Sleeper;
import dev.stigmer.it.ConformanceWorkflows.Timer;
import dev.stigmer.os.Linux;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.CanceledFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * What a Java SDK user's code does with Temporal, checked against the Temporal a {@link Stack}
 * runs: one long-lived worker (as a user's would be) and a client, every check run on a fresh
 * server and again after a kill -9 of Temporal, which the worker must ride out by itself.
 * "It works" means these behave as on a real Temporal, in wall-clock time.
 */
final class JavaSdkConformance implements AutoCloseable {
    private static final Duration RESULT_LIMIT = Duration.ofSeconds(60);

    private final Stack stack;
    private final WorkflowServiceStubs service;
    private final WorkflowClient client;
    private final WorkerFactory factory;
    private final String queue = "conformance-" + UUID.randomUUID();

    JavaSdkConformance(Stack stack) {
        this.stack = stack;
        this.service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(stack.address()).build());
        this.client = WorkflowClient.newInstance(service);
        this.factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker(queue);
        worker.registerWorkflowImplementationTypes(ConformanceWorkflows.WORKFLOWS.toArray(Class<?>[]::new));
        worker.registerActivitiesImplementations(new ConformanceWorkflows.ActivitiesImpl());
        factory.start();
    }

    /** Every check on the running Temporal, then a kill -9 of it, then every check again. */
    Stream<DynamicNode> freshAndAfterKillNine() {
        return Stream.of(
                dynamicContainer("on a fresh Temporal", checks()),
                dynamicTest("kill -9 of Temporal: a new one serves", this::killTemporalAndAwaitServing),
                dynamicContainer("after kill -9 of Temporal, with the same worker", checks()));
    }

    private Stream<DynamicNode> checks() {
        return Stream.of(
                check("a 2 s timer takes at least 2 s of wall time", this::timerKeepsWallClockTime),
                check("the workflow clock is within seconds of the wall clock", this::workflowClockIsWallClock),
                check("a workflow waits for a signal; queries see its state", this::signalAndQuery),
                check("update returns a result; a rejected update changes nothing", this::update),
                check("signal-with-start starts and signals in one call", this::signalWithStart),
                check("a child workflow runs and returns to its parent", this::childWorkflow),
                check("continue-as-new runs again with new arguments", this::continueAsNew),
                check("a failing activity is retried with backoff until it succeeds", this::activityRetry),
                check("an activity that stops heartbeating times out", this::heartbeatTimeout),
                check("cancelling a workflow asleep for an hour ends it as cancelled", this::cancellation));
    }

    private static DynamicNode check(String name, Executable body) {
        return dynamicTest(name, body);
    }

    private WorkflowOptions options(String kind) {
        return WorkflowOptions.newBuilder().setTaskQueue(queue).setWorkflowId(kind + "-" + UUID.randomUUID())
                .setWorkflowExecutionTimeout(Duration.ofMinutes(2)).build();
    }

    private <T> T stub(Class<T> type, String kind) {
        return client.newWorkflowStub(type, options(kind));
    }

    void timerKeepsWallClockTime() {
        long started = System.nanoTime();
        long workflowMillis = stub(Timer.class, "timer").sleep(2000);
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(wallMillis).as("wall time of a workflow sleeping 2 s").isGreaterThanOrEqualTo(2000);
        assertThat(workflowMillis).as("workflow time that passed in a 2 s sleep")
                .isGreaterThanOrEqualTo(2000).isLessThan(wallMillis + 1000);
    }

    void workflowClockIsWallClock() {
        long before = System.currentTimeMillis();
        long workflowNow = stub(Clock.class, "clock").now();
        long after = System.currentTimeMillis();
        assertThat(workflowNow).as("Workflow.currentTimeMillis() against the wall clock")
                .isBetween(before - 5000, after + 5000);
    }

    void signalAndQuery() throws Exception {
        Mailbox mailbox = stub(Mailbox.class, "signal");
        WorkflowExecution execution = WorkflowClient.start(mailbox::collect, 2);
        stillWaiting(execution);
        assertThat(mailbox.items()).isEmpty();
        mailbox.put("first");
        await().atMost(Duration.ofSeconds(10)).until(() -> mailbox.items().equals(List.of("first")));
        assertThat(status(execution)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        mailbox.put("second");
        assertThat(result(execution, List.class)).isEqualTo(List.of("first", "second"));
    }

    void update() throws Exception {
        Mailbox mailbox = stub(Mailbox.class, "update");
        WorkflowExecution execution = WorkflowClient.start(mailbox::collect, 2);
        stillWaiting(execution);
        assertThat(mailbox.add("one")).isEqualTo(1);
        assertThatThrownBy(() -> mailbox.add(" ")).isInstanceOf(WorkflowUpdateException.class);
        assertThat(mailbox.items()).containsExactly("one");
        assertThat(mailbox.add("two")).isEqualTo(2);
        assertThat(result(execution, List.class)).isEqualTo(List.of("one", "two"));
    }

    void signalWithStart() throws Exception {
        WorkflowStub untyped = client.newUntypedWorkflowStub("Mailbox", options("signal-with-start"));
        untyped.signalWithStart("put", new Object[]{"early"}, new Object[]{1});
        assertThat(untyped.getResult(RESULT_LIMIT.toSeconds(), TimeUnit.SECONDS, List.class)).isEqualTo(List.of("early"));
    }

    void childWorkflow() {
        WorkflowOptions options = options("parent");
        String result = client.newWorkflowStub(Parent.class, options).greetThroughChild("kid");
        assertThat(result).isEqualTo("parent got: hello kid from " + options.getWorkflowId());
        assertThat(ConformanceWorkflows.WORKFLOWS).contains(ConformanceWorkflows.ChildImpl.class);
        assertThat(Child.class).isInterface();
    }

    void continueAsNew() {
        WorkflowOptions options = options("counter");
        Counter counter = client.newWorkflowStub(Counter.class, options);
        assertThat(counter.count(3, 1)).as("runs").isEqualTo(4);
        WorkflowExecution latest = WorkflowExecution.newBuilder().setWorkflowId(options.getWorkflowId()).build();
        assertThat(status(latest)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    }

    void activityRetry() {
        long started = System.nanoTime();
        int attempt = stub(Retrying.class, "retry").run(3);
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(attempt).as("the attempt that succeeded").isEqualTo(3);
        // Backoff 500 ms, then 1 s: retries wait in real time too.
        assertThat(wallMillis).as("wall time of two retries with 0.5 s and 1 s backoff").isGreaterThanOrEqualTo(1500);
    }

    void heartbeatTimeout() {
        long started = System.nanoTime();
        String outcome = stub(Heartbeating.class, "heartbeat").run(1000, 4000);
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(outcome).isEqualTo("TIMEOUT_TYPE_HEARTBEAT");
        assertThat(wallMillis).as("wall time until a 1 s heartbeat timeout").isGreaterThanOrEqualTo(1000);
    }

    void cancellation() throws Exception {
        Sleeper sleeper = stub(Sleeper.class, "cancel");
        WorkflowExecution execution = WorkflowClient.start(sleeper::sleepAnHour);
        stillWaiting(execution);
        WorkflowStub.fromTyped(sleeper).cancel();
        assertThatThrownBy(() -> WorkflowStub.fromTyped(sleeper).getResult(RESULT_LIMIT.toSeconds(), TimeUnit.SECONDS, String.class))
                .isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
        assertThat(status(execution)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    }

    /**
     * Watched for 1.5 s: the waiting workflow stays running. A server that skips time (as the test
     * server can) would time its wait out at once.
     */
    private void stillWaiting(WorkflowExecution execution) {
        await().alias("the waiting workflow is still running").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10))
                .until(() -> status(execution) == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    private WorkflowExecutionStatus status(WorkflowExecution execution) {
        return service.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default").setExecution(execution).build())
                .getWorkflowExecutionInfo().getStatus();
    }

    private <R> R result(WorkflowExecution execution, Class<R> type) throws Exception {
        return CompletableFuture.supplyAsync(() -> client.newUntypedWorkflowStub(execution.getWorkflowId())
                .getResult(type)).get(RESULT_LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    void killTemporalAndAwaitServing() throws Exception {
        long pid = stack.temporalPid();
        assertThat(pid).isPositive();
        Linux.kill(pid, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.temporalPid() != pid);
        stack.awaitServing();
    }

    @Override
    public void close() {
        factory.shutdownNow();
        factory.awaitTermination(5, TimeUnit.SECONDS);
        service.shutdownNow();
        service.awaitTermination(5, TimeUnit.SECONDS);
    }
}
