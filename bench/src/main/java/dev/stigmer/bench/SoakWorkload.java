package dev.stigmer.bench;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real Temporal SDK worker and client that keep running small workflows (one activity each)
 * for the whole soak. The SDK reconnects by itself; a workflow lost to a restart of the
 * in-memory embedded Temporal counts as failed, as it would for a user.
 */
final class SoakWorkload implements AutoCloseable {
    final AtomicLong started = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final WorkflowServiceStubs service;
    private final WorkerFactory factory;
    private final WorkflowClient client;
    private final String queue = "soak-" + UUID.randomUUID();
    private final Thread loop;

    @WorkflowInterface
    public interface Echo {
        @WorkflowMethod
        String echo(String text);
    }

    @ActivityInterface
    public interface Upper {
        String upper(String text);
    }

    public static final class EchoImpl implements Echo {
        private final Upper upper = Workflow.newActivityStub(Upper.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(5)).build());

        @Override
        public String echo(String text) {
            return upper.upper(text);
        }
    }

    SoakWorkload(int port) {
        service = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + port).setRpcTimeout(Duration.ofSeconds(5)).build());
        client = WorkflowClient.newInstance(service);
        factory = WorkerFactory.newInstance(client);
        Worker worker = factory.newWorker(queue);
        worker.registerWorkflowImplementationTypes(EchoImpl.class);
        worker.registerActivitiesImplementations((Upper) String::toUpperCase);
        factory.start();
        loop = Thread.ofPlatform().daemon().name("soak-workload").start(this::runWorkflows);
    }

    private void runWorkflows() {
        while (running.get()) {
            started.incrementAndGet();
            try {
                Echo echo = client.newWorkflowStub(Echo.class, WorkflowOptions.newBuilder().setTaskQueue(queue)
                        .setWorkflowId("soak-" + UUID.randomUUID())
                        .setWorkflowExecutionTimeout(Duration.ofSeconds(20))
                        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());
                if ("HELLO".equals(echo.echo("hello"))) {
                    completed.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                Bench.sleep(200); // the server is away: don't spin
            }
            Bench.sleep(100);
        }
    }

    @Override
    public void close() {
        running.set(false);
        try {
            loop.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        factory.shutdownNow();
        service.shutdownNow();
    }
}
