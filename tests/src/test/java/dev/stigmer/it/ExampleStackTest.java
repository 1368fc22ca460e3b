package dev.stigmer.it;

import dev.stigmer.os.Linux;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * examples/hello-stack as a user runs it from a fresh clone: a one-shot installs the TypeScript
 * SDK, a real SDK worker runs as a service beside Temporal, a one-shot client runs a workflow.
 * Then this test's own (Java SDK) client has the worker run workflows, and again after a kill -9
 * of Temporal and after a kill -9 of the worker.
 */
@ExtendWith(StackExtension.class)
class ExampleStackTest {
    static final Path EXAMPLE = Stack.ROOT.resolve("examples/hello-stack");
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void theHelloStackRunsAndItsWorkerServesThroughKillsOfTemporalAndOfItself(Stack stack) throws Exception {
        stack.cwd = EXAMPLE;
        CliResult start = stack.start("--timeout", "5m");
        assertThat(start.stdout()).contains("install is completed").contains("worker is running");
        // As the example's first lines say: once `stigmer local` returns, greet's log has the result.
        assertThat(stack.run("local", "logs", "greet").stdout()).contains("Hello, World!");
        await().atMost(PATIENCE).until(() -> stack.state("greet").equals("completed"));

        assertThat(hello(stack, "Java")).isEqualTo("Hello, Java!");

        long temporal = stack.temporalPid();
        long worker = stack.pid("worker");
        Linux.kill(temporal, Linux.SIGKILL);
        await().atMost(PATIENCE).until(() -> stack.temporalPid() > 0 && stack.temporalPid() != temporal);
        stack.awaitServing();
        // restart: true on its temporal edge: the worker comes back with the new Temporal.
        await().atMost(PATIENCE).until(() -> stack.pid("worker") != worker && stack.state("worker").equals("running"));
        assertThat(hello(stack, "after Temporal's crash")).isEqualTo("Hello, after Temporal's crash!");
        assertThat(stack.state("greet")).as("a completed one-shot is not run again").isEqualTo("completed");

        long restartedWorker = stack.pid("worker");
        Linux.kill(restartedWorker, Linux.SIGKILL);
        await().atMost(PATIENCE).until(() -> stack.pid("worker") > 0 && stack.pid("worker") != restartedWorker
                && stack.state("worker").equals("running"));
        assertThat(hello(stack, "after the worker's crash")).isEqualTo("Hello, after the worker's crash!");
    }

    /** Runs the example's `hello` workflow from the Java SDK; the TypeScript worker does the work. */
    private static String hello(Stack stack, String name) throws Exception {
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(stack.address()).build());
        try {
            WorkflowStub workflow = WorkflowClient.newInstance(service).newUntypedWorkflowStub("hello",
                    WorkflowOptions.newBuilder().setTaskQueue("hello").setWorkflowId("hello-" + UUID.randomUUID())
                            .setWorkflowExecutionTimeout(Duration.ofSeconds(60)).build());
            workflow.start(name);
            return workflow.getResult(60, TimeUnit.SECONDS, String.class);
        } finally {
            service.shutdownNow();
            service.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
