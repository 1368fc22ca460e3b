package dev.stigmer.it;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

import java.time.Duration;
import java.util.UUID;

/** A real Temporal SDK worker and client: proof that the supervised server works as Temporal. */
final class Workflows {
    private Workflows() {
    }

    @WorkflowInterface
    public interface Greeting {
        @WorkflowMethod
        String greet(String name);
    }

    @ActivityInterface
    public interface Shout {
        String shout(String text);
    }

    public static final class GreetingImpl implements Greeting {
        private final Shout shout = Workflow.newActivityStub(Shout.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

        @Override
        public String greet(String name) {
            return shout.shout("hello " + name);
        }
    }

    /** Runs one workflow (with an activity) through a fresh worker and client; returns its result. */
    static String runGreeting(String address, String name) {
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
        WorkerFactory factory = null;
        String result;
        try {
            WorkflowClient client = WorkflowClient.newInstance(service);
            String queue = "stigmer-it-" + UUID.randomUUID();
            factory = WorkerFactory.newInstance(client);
            Worker worker = factory.newWorker(queue);
            worker.registerWorkflowImplementationTypes(GreetingImpl.class);
            worker.registerActivitiesImplementations((Shout) text -> text.toUpperCase());
            factory.start();
            Greeting workflow = client.newWorkflowStub(Greeting.class, WorkflowOptions.newBuilder()
                    .setTaskQueue(queue).setWorkflowId("greet-" + UUID.randomUUID())
                    .setWorkflowExecutionTimeout(Duration.ofSeconds(30)).build());
            result = workflow.greet(name);
        } catch (RuntimeException e) {
            // Shutting the worker down talks to the server too; its failure must not hide this one.
            close(factory, service, e);
            throw e;
        }
        close(factory, service, null);
        return result;
    }

    private static void close(WorkerFactory factory, WorkflowServiceStubs service, RuntimeException failure) {
        try {
            if (factory != null) {
                factory.shutdownNow();
                factory.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        } finally {
            service.shutdownNow();
            service.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
