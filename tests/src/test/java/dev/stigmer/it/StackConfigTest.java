package dev.stigmer.it;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `stigmer local config`: the stack file validated and resolved, with no daemon involved. */
@ExtendWith(StackExtension.class)
class StackConfigTest {

    private static Path project(Stack stack, String yaml) throws Exception {
        Path dir = Files.createDirectories(stack.home.resolveSibling("project"));
        Files.writeString(dir.resolve("stigmer.yaml"), yaml);
        Files.createDirectories(dir.resolve("sub/deeper"));
        stack.cwd = dir.resolve("sub/deeper"); // found from a subdirectory, as git finds its repository
        return dir;
    }

    @Test
    void configPrintsTheResolvedStackFoundInAParentDirectory(Stack stack) throws Exception {
        Path dir = project(stack, """
                temporal: {port: 7301}
                services:
                  api:
                    command: [python3, -m, http.server, "${API_PORT:-8080}"]
                    port: ${API_PORT:-8080}
                    depends_on: [temporal]
                    ready: {http: "http://127.0.0.1:8080/"}
                """);
        stack.env.remove("STIGMER_TEMPORAL_PORT");
        CliResult text = stack.run(Map.of("API_PORT", "9090"), "local", "config");
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.stdout()).contains("file: " + dir.resolve("stigmer.yaml")).contains("port: 7301")
                .contains("'9090'").contains("port: 9090").contains("restart: always").contains("stop_grace: 10s");

        CliResult json = stack.run(Map.of("API_PORT", "9090"), "local", "config", "--json");
        JsonObject resolved = JsonParser.parseString(json.stdout()).getAsJsonObject();
        assertThat(resolved.getAsJsonObject("temporal").get("port").getAsInt()).isEqualTo(7301);
        JsonObject api = resolved.getAsJsonObject("services").getAsJsonObject("api");
        assertThat(api.get("port").getAsInt()).isEqualTo(9090);
        assertThat(api.getAsJsonObject("dependsOn").getAsJsonObject("temporal").get("condition").getAsString())
                .isEqualTo("healthy");
        assertThat(stack.ownedProcesses()).as("config starts nothing").isEmpty();
        assertThat(Files.exists(stack.stigmerHome().socket())).isFalse();
    }

    @Test
    void aBadFileIsOneLineWithItsPositionAndExitTwo(Stack stack) throws Exception {
        Path dir = project(stack, "services:\n  api:\n    command: x\n    workdir: api\n");
        CliResult result = stack.run("local", "config");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errorLines()).containsExactly("stigmer: " + dir.resolve("stigmer.yaml")
                + ":4:5: unknown key 'workdir' in service api; did you mean 'working_dir'?");
        assertThat(result.showsJavaInternals()).isFalse();
    }

    @Test
    void aNamedFileThatDoesNotExistIsAUsageError(Stack stack) throws Exception {
        project(stack, "services: {}\n");
        CliResult flag = stack.run("local", "config", "-f", "/nonexistent/stack.yaml");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.errorLines()).containsExactly("stigmer: /nonexistent/stack.yaml:1:1: no such file (named by --file); "
                + "give the path of a stigmer.yaml");
        CliResult env = stack.run(Map.of("STIGMER_FILE", "/nonexistent/stack.yaml"), "local", "config");
        assertThat(env.exitCode()).isEqualTo(2);
        assertThat(env.stderr()).contains("named by STIGMER_FILE");
    }

    @Test
    void withoutAFileConfigShowsTemporalAlone(Stack stack) throws Exception {
        stack.cwd = Files.createDirectories(stack.home.resolveSibling("empty"));
        CliResult result = stack.run("local", "config");
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("Temporal alone").contains("port: " + stack.port).contains("services: {}");
    }
}
