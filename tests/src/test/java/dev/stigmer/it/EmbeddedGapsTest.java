package dev.stigmer.it;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.temporal.api.errordetails.v1.NamespaceNotFoundFailure;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.testservice.v1.LockTimeSkippingRequest;
import io.temporal.api.testservice.v1.TestServiceGrpc;
import io.temporal.api.testservice.v1.UnlockTimeSkippingRequest;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.ListSchedulesRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.RegisterNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What the embedded Temporal cannot do is asserted, not just written down: the README's table of
 * embedded gaps and the one line `start` and `status` print stay true. And what it must not do:
 * accept a namespace that does not exist, or let a client switch time skipping back on.
 */
@ExtendWith(StackExtension.class)
class EmbeddedGapsTest {

    @Test
    void visibilitySchedulesNamespaceRegistrationAndTaskQueueDescriptionAnswerUnimplemented(Stack stack) throws Exception {
        stack.start();
        withService(stack, service -> {
            var api = service.blockingStub();
            assertUnimplemented(() -> api.listWorkflowExecutions(
                    ListWorkflowExecutionsRequest.newBuilder().setNamespace("default").build()));
            assertUnimplemented(() -> api.countWorkflowExecutions(
                    CountWorkflowExecutionsRequest.newBuilder().setNamespace("default").build()));
            assertUnimplemented(() -> api.listSchedules(ListSchedulesRequest.newBuilder().setNamespace("default").build()));
            assertUnimplemented(() -> api.registerNamespace(RegisterNamespaceRequest.newBuilder().setNamespace("team-b").build()));
            assertUnimplemented(() -> api.describeTaskQueue(DescribeTaskQueueRequest.newBuilder().setNamespace("default")
                    .setTaskQueue(TaskQueue.newBuilder().setName("any")).build()));
        });
    }

    @Test
    void startAndStatusNameTheGapsInOneLine(Stack stack) {
        CliResult start = stack.start();
        String line = "no web UI, no visibility queries (list/count), no schedules and no RegisterNamespace (only the namespaces stigmer.yaml names exist)";
        assertThat(start.stdout()).contains("keeps nothing across restarts").contains(line)
                .contains("`stigmer temporal install` gets the real one");
        CliResult status = stack.run("local", "status");
        assertThat(status.stdout()).contains(line).contains("`stigmer temporal install` gets the real one");
        assertThat(status.stdout().lines().filter(l -> l.contains(line))).hasSize(1);
    }

    @Test
    void anUnknownNamespaceIsNotFoundAsOnTheRealServer(Stack stack) throws Exception {
        stack.start();
        withService(stack, service -> {
            var api = service.blockingStub();
            assertThat(api.describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("default").build())
                    .getNamespaceInfo().getName()).isEqualTo("default");
            StatusRuntimeException typo = catchThrowableOfType(StatusRuntimeException.class,
                    () -> api.describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("defualt").build()));
            assertThat(typo.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(typo.getStatus().getDescription()).isEqualTo("Namespace defualt is not found.");
            com.google.rpc.Status details = StatusProto.fromThrowable(typo);
            assertThat(details).isNotNull();
            assertThat(details.getDetails(0).unpack(NamespaceNotFoundFailure.class).getNamespace()).isEqualTo("defualt");

            // A client configured with a typo fails on its first call instead of making a second namespace.
            WorkflowClient wrong = WorkflowClient.newInstance(service,
                    WorkflowClientOptions.newBuilder().setNamespace("defualt").build());
            WorkflowServiceException start = catchThrowableOfType(WorkflowServiceException.class, () ->
                    wrong.newUntypedWorkflowStub("Anything", WorkflowOptions.newBuilder().setTaskQueue("q")
                            .setWorkflowId("typo").build()).start());
            assertThat(start).hasRootCauseInstanceOf(StatusRuntimeException.class);
            assertThat(Status.fromThrowable(start.getCause()).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        });
    }

    @Test
    void noClientCanSwitchTimeSkippingOn(Stack stack) throws Exception {
        stack.start();
        ManagedChannel channel = ManagedChannelBuilder.forTarget(stack.address()).usePlaintext().build();
        try {
            var testService = TestServiceGrpc.newBlockingStub(channel);
            assertUnimplemented(() -> testService.unlockTimeSkipping(UnlockTimeSkippingRequest.getDefaultInstance()));
            assertUnimplemented(() -> testService.lockTimeSkipping(LockTimeSkippingRequest.getDefaultInstance()));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertUnimplemented(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    private interface ServiceCheck {
        void run(WorkflowServiceStubs service) throws Exception;
    }

    private static void withService(Stack stack, ServiceCheck body) throws Exception {
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(stack.address()).build());
        try {
            body.run(service);
        } finally {
            service.shutdownNow();
            service.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
