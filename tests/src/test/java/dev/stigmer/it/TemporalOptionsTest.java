package dev.stigmer.it;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The stack file's temporal: options, as `temporal server start-dev` flags and in the embedded Temporal. */
@ExtendWith(StackExtension.class)
class TemporalOptionsTest {

    @Test
    void everyOptionBecomesItsStartDevFlagAndAChangeReplacesTemporal(Stack stack) throws Exception {
        Path record = stack.home.resolveSibling("args.txt");
        Path bin = StandIns.serving(stack.home.resolveSibling("bin"), record);
        int ui = Stack.freePort();
        String options = """
                temporal:
                  bin: %s
                  namespaces: [orders, billing, default]
                  search_attributes: {CustomerId: Keyword, Amount: double}
                  dynamic_config:
                    frontend.enableUpdateWorkflowExecution: true
                    limit.blobSize.error: 10485760
                    system.name: "local dev"
                  log_level: info
                  ui_port: %d
                  db: data/dev.db
                services: {}
                """.formatted(bin, ui);
        Path dir = stack.project(options);
        Files.createDirectories(dir.resolve("data"));
        CliResult start = stack.start();
        assertThat(start.stdout()).contains("Web UI: http://127.0.0.1:" + ui);
        assertThat(Files.readAllLines(record).getLast()).isEqualTo("server start-dev --ip 127.0.0.1 --port " + stack.port
                + " --ui-port " + ui + " --db-filename " + dir.resolve("data/dev.db")
                + " --namespace orders --namespace billing"
                + " --search-attribute CustomerId=Keyword --search-attribute Amount=Double"
                + " --dynamic-config-value frontend.enableUpdateWorkflowExecution=true"
                + " --dynamic-config-value limit.blobSize.error=10485760"
                + " --dynamic-config-value system.name=\"local dev\""
                + " --log-level info");

        Files.writeString(dir.resolve("stigmer.yaml"), """
                temporal:
                  bin: %s
                  ui: false
                  db: memory
                services: {}
                """.formatted(bin));
        CliResult changed = stack.start();
        assertThat(changed.stdout()).contains("temporal: changed in").doesNotContain("Web UI");
        assertThat(Files.readAllLines(record).getLast()).isEqualTo("server start-dev --ip 127.0.0.1 --port " + stack.port
                + " --headless");
        assertThat(stack.temporal().get("persistent").getAsBoolean()).as("db: memory keeps nothing").isFalse();
    }

    @Test
    void theEmbeddedTemporalRegistersTheNamespacesAndSearchAttributes(Stack stack) throws Exception {
        stack.project("""
                temporal:
                  namespaces: [orders]
                  search_attributes: {CustomerId: Keyword}
                services: {}
                """);
        stack.start();
        WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(stack.address()).build());
        try {
            assertThat(service.blockingStub().describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("orders")
                    .build()).getNamespaceInfo().getName()).isEqualTo("orders");
            StatusRuntimeException other = catchThrowableOfType(StatusRuntimeException.class, () -> service.blockingStub()
                    .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace("billing").build()));
            assertThat(other.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

            WorkflowClient orders = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("orders").build());
            orders.newUntypedWorkflowStub("Anything", WorkflowOptions.newBuilder().setTaskQueue("q").setWorkflowId("with-sa")
                    .setTypedSearchAttributes(SearchAttributes.newBuilder()
                            .set(SearchAttributeKey.forKeyword("CustomerId"), "c-42").build()).build()).start();
            WorkflowServiceException unknown = catchThrowableOfType(WorkflowServiceException.class, () ->
                    orders.newUntypedWorkflowStub("Anything", WorkflowOptions.newBuilder().setTaskQueue("q")
                            .setWorkflowId("without").setTypedSearchAttributes(SearchAttributes.newBuilder()
                                    .set(SearchAttributeKey.forKeyword("NotRegistered"), "x").build()).build()).start());
            assertThat(unknown).as("an unregistered search attribute is refused: so CustomerId really was registered")
                    .isNotNull();
            assertThat(Status.fromThrowable(unknown.getCause()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        } finally {
            service.shutdownNow();
            service.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anOptionTheEmbeddedTemporalCannotHonourIsAUsageErrorNamingInstall(Stack stack) throws Exception {
        for (String option : List.of("dynamic_config: {a.b: 1}", "log_level: debug", "ui: true", "ui_port: 9999",
                "db: temporal.db")) {
            Path dir = stack.project("temporal:\n  " + option + "\nservices: {}\n");
            CliResult start = stack.run("local");
            String key = option.substring(0, option.indexOf(':'));
            assertThat(start.exitCode()).as(option).isEqualTo(2);
            assertThat(start.errorLines()).as(option).hasSize(1);
            assertThat(start.stderr()).contains(dir.resolve("stigmer.yaml") + ":2:3: temporal." + key
                    + " needs the real Temporal").contains("stigmer temporal install");
        }
        assertThat(stack.ownedProcesses()).as("nothing started").isEmpty();
    }
}
