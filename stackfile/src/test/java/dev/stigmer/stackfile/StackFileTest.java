package dev.stigmer.stackfile;

import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.stack.DependencyDefinition;
import dev.stigmer.stack.DependencyCondition;
import dev.stigmer.probe.ExecProbeDefinition;
import dev.stigmer.probe.GrpcProbeDefinition;
import dev.stigmer.probe.HttpProbeDefinition;
import dev.stigmer.probe.LogProbeDefinition;
import dev.stigmer.probe.ProbeDefinition;
import dev.stigmer.probe.ProbeTiming;
import dev.stigmer.probe.TcpProbeDefinition;
import dev.stigmer.stack.RestartMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class StackFileTest {
    @TempDir
    Path dir;

    private static final String EXAMPLE = """
            temporal:
              port: 7244
            services:
              migrate:
                command: ./migrate.sh
                restart: no
              api:
                command: [python3, -m, http.server, "8080"]
                working_dir: api
                env: {LOG_LEVEL: debug, GREETING: "${GREETING:-hello}", PRICE: "$$5"}
                env_file: .env
                port: 8080
                depends_on:
                  migrate: {condition: completed}
                  temporal: {condition: healthy}
                ready: {http: "http://127.0.0.1:8080/", interval: 250ms, timeout: 1s}
                health: {tcp: 8080, interval: 5s, timeout: 2s, failures: 3}
              worker:
                command: java -jar ${JAR}
                depends_on: [temporal, api]
                ready: {log: "Worker started"}
                restart: on-failure
                stop_signal: INT
                stop_grace: 20s
            """;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private StackDefinition read(String yaml, Map<String, String> env) throws Exception {
        return StackFile.read(write("stigmer.yaml", yaml), env, null);
    }

    private StackFileException error(String yaml) throws IOException {
        return error(yaml, Map.of());
    }

    private StackFileException error(String yaml, Map<String, String> env) throws IOException {
        Path file = write("stigmer.yaml", yaml);
        StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFile.read(file, env, null));
        assertThat(e).as("expected an error for:\n" + yaml).isNotNull();
        assertThat(e.getMessage()).startsWith(file + ":");
        return e;
    }

    /** As Compose and python-dotenv read them: an unquoted value ends at " #"; quotes keep their #. */
    @Test
    void envFileInlineCommentsEndUnquotedValuesOnly() throws Exception {
        write(".env", String.join("\n",
                "PLAIN=value # note",
                "TAB=value\t# note",
                "HASH_IN_WORD=a#b",
                "DOUBLE=\"value # kept\"",
                "SINGLE='value # kept'",
                "QUOTED_THEN_COMMENT=\"value\" # note",
                "URL=http://x/#frag",
                ""));
        StackDefinition stack = read("services:\n  a:\n    command: x\n    env_file: .env\n", Map.of());

        assertThat(stack.services().get("a").environment()).containsAllEntriesOf(Map.of(
                "PLAIN", "value", "TAB", "value", "HASH_IN_WORD", "a#b", "DOUBLE", "value # kept",
                "SINGLE", "value # kept", "QUOTED_THEN_COMMENT", "value", "URL", "http://x/#frag"));
    }

    @Test
    void theIssuesExampleResolvesWithDefaultsVariablesAndEnvFiles() throws Exception {
        Files.createDirectories(dir.resolve("api"));
        write(".env", "# comment\nexport TOKEN='s3cret'\n\nLOG_LEVEL=info\n");
        StackDefinition stack = read(EXAMPLE, Map.of("JAR", "worker.jar"));

        assertThat(stack.file()).isEqualTo(dir.resolve("stigmer.yaml").toString());
        assertThat(stack.temporal().port()).isEqualTo(7244);
        assertThat(stack.temporal().bin()).isNull();
        assertThat(stack.temporal().options()).isEqualTo(dev.stigmer.control.TemporalOptions.NONE);
        assertThat(stack.services().keySet()).containsExactly("migrate", "api", "worker");

        ServiceDefinition migrate = stack.services().get("migrate");
        assertThat(migrate.command()).containsExactly("/bin/sh", "-c", "./migrate.sh");
        assertThat(migrate.restart()).isEqualTo(RestartMode.NO);
        assertThat(migrate.workingDir()).isEqualTo(dir.toString());
        assertThat(migrate.ready()).isNull();
        assertThat(migrate.stopSignal()).isEqualTo(15);
        assertThat(migrate.stopGraceMillis()).isEqualTo(10_000);
        assertThat(migrate.startTimeoutMillis()).isEqualTo(60_000);

        ServiceDefinition api = stack.services().get("api");
        assertThat(api.command()).containsExactly("python3", "-m", "http.server", "8080");
        assertThat(api.workingDir()).isEqualTo(dir.resolve("api").toString());
        assertThat(api.environment()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "TOKEN", "s3cret", "LOG_LEVEL", "debug", "GREETING", "hello", "PRICE", "$5"));
        assertThat(api.port()).isEqualTo(8080);
        assertThat(api.dependsOn()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "migrate", new DependencyDefinition(DependencyCondition.COMPLETED, false),
                "temporal", new DependencyDefinition(DependencyCondition.HEALTHY, false)));
        assertThat(api.ready()).isEqualTo(new HttpProbeDefinition("http://127.0.0.1:8080/", new ProbeTiming(250, 1000, 3)));
        assertThat(api.health()).isEqualTo(new TcpProbeDefinition("127.0.0.1:8080", new ProbeTiming(5000, 2000, 3)));

        ServiceDefinition worker = stack.services().get("worker");
        assertThat(worker.command()).containsExactly("/bin/sh", "-c", "java -jar worker.jar");
        assertThat(worker.dependsOn()).containsOnlyKeys("temporal", "api")
                .allSatisfy((name, edge) -> assertThat(edge.condition()).isEqualTo(DependencyCondition.HEALTHY));
        assertThat(worker.ready()).isInstanceOf(LogProbeDefinition.class);
        assertThat(worker.restart()).isEqualTo(RestartMode.ON_FAILURE);
        assertThat(worker.stopSignal()).isEqualTo(2);
        assertThat(worker.stopGraceMillis()).isEqualTo(20_000);
    }

    @Test
    void theHashChangesWithWhatShapesTheProcessAndNotWithDependencies() throws Exception {
        String base = "services:\n  a:\n    command: sleep 100\n  b:\n    command: sleep 100\n";
        String hash = read(base, Map.of()).services().get("b").specHash();
        assertThat(read(base, Map.of()).services().get("b").specHash()).as("same file, same hash").isEqualTo(hash);
        assertThat(read(base + "    depends_on: [a]\n", Map.of()).services().get("b").specHash())
                .as("a new dependency edge").isEqualTo(hash);
        assertThat(read(base + "    env: {X: \"1\"}\n", Map.of()).services().get("b").specHash()).isNotEqualTo(hash);
        assertThat(read(base.replace("b:\n    command: sleep 100", "b:\n    command: sleep 101"), Map.of())
                .services().get("b").specHash()).isNotEqualTo(hash);
        write(".env", "X=1\n");
        String withEnvFile = read(base + "    env_file: .env\n", Map.of()).services().get("b").specHash();
        write(".env", "X=2\n");
        assertThat(read(base + "    env_file: .env\n", Map.of()).services().get("b").specHash())
                .as("the env file's contents count, not only its name").isNotEqualTo(withEnvFile);
    }

    @Test
    void watchShortAndLongFormsResolveAgainstTheFilesDirectory() throws Exception {
        Files.createDirectories(dir.resolve("src/main"));
        write("pom.xml", "<project/>");
        StackDefinition stack = read("""
                services:
                  short:
                    command: sleep 100
                    watch: [src, pom.xml]
                  long:
                    command: sleep 100
                    watch:
                      paths: [src, "src/**/*.java"]
                      ignore: ["**/*.tmp"]
                      rebuild: mvn -q -o package
                      debounce: 1s
                """, Map.of());
        var watch = stack.services().get("short").watch();
        assertThat(watch.paths()).containsExactly(dir.resolve("src").toString(), dir.resolve("pom.xml").toString());
        assertThat(watch.ignore()).isEmpty();
        assertThat(watch.rebuild()).isEmpty();
        assertThat(watch.debounceMillis()).isEqualTo(300);
        var long_ = stack.services().get("long").watch();
        assertThat(long_.paths()).containsExactly(dir.resolve("src").toString(), dir.resolve("src").toString());
        assertThat(long_.include()).containsExactly("", "**/*.java");
        assertThat(long_.ignore()).containsExactly("**/*.tmp");
        assertThat(long_.rebuild()).containsExactly("/bin/sh", "-c", "mvn -q -o package");
        assertThat(long_.debounceMillis()).isEqualTo(1000);
        assertThat(long_.base()).isEqualTo(dir.toString());
    }

    @Test
    void watchKeysTakePartInTheSpecHash() throws Exception {
        Files.createDirectories(dir.resolve("src"));
        String base = "services:\n  a:\n    command: sleep 100\n";
        String unwatched = read(base, Map.of()).services().get("a").specHash();
        String watched = read(base + "    watch: [src]\n", Map.of()).services().get("a").specHash();
        assertThat(watched).isNotEqualTo(unwatched);
        assertThat(read(base + "    watch: {paths: [src], debounce: 1s}\n", Map.of()).services().get("a").specHash())
                .isNotEqualTo(watched);
        assertThat(read(base + "    watch: {paths: [src]}\n", Map.of()).services().get("a").specHash())
                .as("the short form is the long form").isEqualTo(watched);
    }

    @Test
    void aMissingWatchPathIsAnErrorAtItsLine() throws Exception {
        Files.createDirectories(dir.resolve("src"));
        assertThat(error("services:\n  a:\n    command: x\n    watch:\n      - src\n      - nope\n").getMessage())
                .contains(":6:9: service a watch path " + dir.resolve("nope") + " does not exist");
        assertThat(error("services:\n  a:\n    command: x\n    watch: {paths: [src], debounce: soon}\n").getMessage())
                .contains(":4:37: service a watch debounce");
        assertThat(error("services:\n  a:\n    command: x\n    watch: {ignore: [x]}\n").getMessage())
                .contains(":4:12: service a watch needs paths");
        assertThat(error("services:\n  a:\n    command: x\n    watch: {paths: [src], rebuld: make}\n").getMessage())
                .contains("did you mean 'rebuild'?");
    }

    @Test
    void yamlSyntaxErrorsCarryTheirPosition() throws Exception {
        StackFileException e = error("services:\n  api:\n    command: [a, b\n");
        assertThat(e.getMessage()).contains("not valid YAML");
        assertThat(e.position().line()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anUnknownKeyNamesTheClosestValidOne() throws Exception {
        StackFileException e = error("services:\n  api:\n    command: x\n    workdir: api\n");
        assertThat(e.getMessage()).endsWith("stigmer.yaml:4:5: unknown key 'workdir' in service api; did you mean 'working_dir'?");
        assertThat(error("servics:\n  a: {command: x}\n").getMessage()).contains(":1:1: unknown key 'servics'")
                .contains("did you mean 'services'?");
        assertThat(error("temporal: {prot: 1}\n").getMessage()).contains("did you mean 'port'?");
    }

    @Test
    void wrongTypesSayWhatWasExpected() throws Exception {
        assertThat(error("services:\n  api:\n    command: x\n    port: eighty\n").getMessage())
                .contains(":4:11: service api port must be a port number from 1 to 65535, got 'eighty'");
        assertThat(error("services:\n  api: [x]\n").getMessage()).contains(":2:8: service api must be a mapping");
        assertThat(error("services:\n  api:\n    command: {a: b}\n").getMessage()).contains("must be a single value, got a mapping");
        assertThat(error("services:\n  a:\n    command: x\n    depends_on:\n      b: {restart: maybe}\n  b: {command: y}\n")
                .getMessage()).contains("must be true or false, got 'maybe'");
        assertThat(error("services:\n  api:\n    command: x\n    restart: false\n").getMessage())
                .contains("restart must be always, on-failure or \"no\", got 'false' (write \"no\")");
        assertThat(error("services:\n  api:\n    command: x\n    stop_signal: STOPPLZ\n").getMessage())
                .contains("stop_signal must be one of TERM, INT");
    }

    @Test
    void anEmptyOrMissingCommandIsRefused() throws Exception {
        assertThat(error("services:\n  api:\n    command: \"  \"\n").getMessage()).contains(":3:14: service api command is empty");
        assertThat(error("services:\n  api:\n    command: []\n").getMessage()).contains("service api command is empty");
        assertThat(error("services:\n  api:\n    port: 80\n").getMessage()).contains("service api has no command");
        assertThat(error("").getMessage()).contains(":1:1: the stack file is empty");
    }

    @Test
    void invalidAndReservedNamesAreRefused() throws Exception {
        assertThat(error("services:\n  Api: {command: x}\n").getMessage()).contains(":2:3: 'Api' is not a valid service name");
        assertThat(error("services:\n  my.api: {command: x}\n").getMessage()).contains("not a valid service name");
        for (String reserved : List.of("temporal", "daemon", "cli")) {
            assertThat(error("services:\n  " + reserved + ": {command: x}\n").getMessage())
                    .contains("'" + reserved + "' is reserved");
        }
    }

    @Test
    void dependenciesMustExistAndNotFormACycle() throws Exception {
        assertThat(error("services:\n  api: {command: x}\n  worker:\n    command: y\n    depends_on: [apii]\n").getMessage())
                .contains(":5:18: service worker depends on 'apii', which is not defined; did you mean 'api'?");
        assertThat(error("services:\n  a:\n    command: x\n    depends_on: [b]\n  b:\n    command: y\n    depends_on: [a]\n")
                .getMessage()).contains("dependency cycle: a -> b -> a; remove one of these depends_on entries");
        assertThat(error("services:\n  a:\n    command: x\n    depends_on: [a]\n").getMessage()).contains("depends on itself");
        assertThat(error("services:\n  a:\n    command: x\n    depends_on:\n      temporal: {condition: completed}\n")
                .getMessage()).contains("Temporal runs until stopped and never completes");
    }

    @Test
    void waitingForCompletionOfAServiceThatAlwaysRestartsIsRefused() throws Exception {
        StackFileException e = error("services:\n  migrate: {command: x}\n  api:\n    command: y\n"
                + "    depends_on:\n      migrate: {condition: completed}\n");
        assertThat(e.getMessage()).contains(":6:7: service api waits for migrate to complete, but migrate has restart: always");
        assertThat(read("services:\n  migrate: {command: x, restart: on-failure}\n  api:\n    command: y\n"
                + "    depends_on:\n      migrate: {condition: completed}\n", Map.of()).services()).hasSize(2);
    }

    @Test
    void aPortUsedTwiceOrTemporalsIsRefused() throws Exception {
        assertThat(error("services:\n  a: {command: x, port: 8080}\n  b: {command: y, port: 8080}\n").getMessage())
                .contains(":3:25: port 8080 of service b is already service a's");
        assertThat(error("services:\n  a: {command: x, port: 7233}\n").getMessage()).contains("port 7233 of service a is Temporal's");
        assertThat(error("temporal: {port: 9000}\nservices:\n  a: {command: x, port: 9000}\n").getMessage())
                .contains("is Temporal's");
        Path file = write("stigmer.yaml", "services:\n  a: {command: x, port: 7233}\n");
        assertThat(catchThrowableOfType(StackFileException.class, () -> StackFile.read(file, Map.of(), 7300)))
                .as("Temporal moved by a flag: 7233 is free for a service").isNull();
        assertThat(catchThrowableOfType(StackFileException.class, () -> StackFile.read(
                write("stigmer.yaml", "services:\n  a: {command: x, port: 7300}\n"), Map.of(), 7300))).isNotNull();
    }

    @Test
    void missingEnvFilesWorkingDirsAndBinariesAreRefused() throws Exception {
        assertThat(error("services:\n  a:\n    command: x\n    env_file: .env.local\n").getMessage())
                .contains(":4:15: service a env_file " + dir.resolve(".env.local") + " does not exist");
        assertThat(error("services:\n  a:\n    command: x\n    env_file: [.env.local]\n").getMessage()).contains("does not exist");
        assertThat(error("services:\n  a:\n    command: x\n    working_dir: nowhere\n").getMessage())
                .contains(":4:18: service a working_dir " + dir.resolve("nowhere") + " is not a directory");
        assertThat(error("temporal:\n  bin: ./temporal\n").getMessage()).contains(":2:8: temporal.bin").contains("does not exist");
        write(".env.bad", "GOOD=1\nthis is not an assignment\n");
        Path file = write("stigmer.yaml", "services:\n  a:\n    command: x\n    env_file: .env.bad\n");
        StackFileException badLine = catchThrowableOfType(StackFileException.class, () -> StackFile.read(file, Map.of(), null));
        assertThat(badLine.getMessage()).startsWith(dir.resolve(".env.bad") + ":2:1: expected KEY=VALUE");
    }

    @Test
    void badDurationsAndUndefinedVariablesAreRefused() throws Exception {
        assertThat(error("services:\n  a:\n    command: x\n    stop_grace: 20 seconds\n").getMessage())
                .contains(":4:17: service a stop_grace must be a duration like 500ms, 5s, 2m or 1h, got '20 seconds'");
        assertThat(error("services:\n  a:\n    command: x\n    start_timeout: 999999999999m\n").getMessage())
                .contains("must be a duration");
        assertThat(error("services:\n  a:\n    command: run ${UNSET_VARIABLE_FOR_TEST}\n").getMessage())
                .contains(":3:14: variable UNSET_VARIABLE_FOR_TEST is not set");
        assertThat(error("services:\n  a:\n    command: run ${NOT CLOSED\n").getMessage()).contains("unclosed variable");
        assertThat(read("services:\n  a:\n    command: run ${UNSET_VARIABLE_FOR_TEST:-fallback} $HOME $$\n", Map.of())
                .services().get("a").command()).containsExactly("/bin/sh", "-c", "run fallback $HOME $");
    }

    @Test
    void aProbeNeedsExactlyOneKind() throws Exception {
        assertThat(error("services:\n  a:\n    command: x\n    ready: {interval: 1s}\n").getMessage())
                .contains(":4:12: service a ready needs one of http, tcp, grpc, log, exec");
        assertThat(error("services:\n  a:\n    command: x\n    ready: {http: \"http://h/\", tcp: 80}\n").getMessage())
                .contains("service a ready has http and tcp; keep one of");
        assertThat(error("services:\n  a:\n    command: x\n    health: {log: started}\n").getMessage())
                .contains("a log probe says when a service is ready");
        assertThat(error("services:\n  a:\n    command: x\n    ready: {http: \"ftp://h/\"}\n").getMessage())
                .contains("must be a URL like http://");
        assertThat(error("services:\n  a:\n    command: x\n    ready: {tcp: \"host:port\"}\n").getMessage())
                .contains("must be PORT or HOST:PORT");
        assertThat(error("services:\n  a:\n    command: x\n    ready: {log: \"[unclosed\"}\n").getMessage())
                .contains("not a valid regular expression");
        ProbeDefinition grpc = read("services:\n  a:\n    command: x\n    health: {grpc: \"localhost:7000\", grpc_service: svc}\n",
                Map.of()).services().get("a").health();
        assertThat(grpc).isEqualTo(new GrpcProbeDefinition("localhost:7000", "svc", new ProbeTiming(5000, 2000, 3)));
        assertThat(read("services:\n  a:\n    command: x\n    ready: {exec: [test, -f, done]}\n", Map.of())
                .services().get("a").ready()).isEqualTo(new ExecProbeDefinition(List.of("test", "-f", "done"),
                new ProbeTiming(250, 1000, 3)));
    }

    @Test
    void temporalOptionsAreCheckedAndResolved() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        TemporalDefinition temporal = read("""
                temporal:
                  namespaces: [orders, default, orders]
                  search_attributes: {CustomerId: keyword, Total: Double}
                  dynamic_config: {a.flag: true, a.limit: 5, a.name: "x y", a.list: [1, two], a.map: {k: v}}
                  log_level: warn
                  ui: false
                  ui_port: 9000
                  db: data/t.db
                """, Map.of()).temporal();
        var options = temporal.options();
        assertThat(options.namespaces()).containsExactly("orders");
        assertThat(options.searchAttributes()).containsExactly(Map.entry("CustomerId", "Keyword"), Map.entry("Total", "Double"));
        assertThat(options.dynamicConfig()).containsExactly(Map.entry("a.flag", "true"), Map.entry("a.limit", "5"),
                Map.entry("a.name", "\"x y\""), Map.entry("a.list", "[1,\"two\"]"), Map.entry("a.map", "{\"k\":\"v\"}"));
        assertThat(options.logLevel()).isEqualTo("warn");
        assertThat(options.ui()).isFalse();
        assertThat(options.uiPort()).isEqualTo(9000);
        assertThat(options.db()).isEqualTo(dir.resolve("data/t.db").toString());
        assertThat(options.needingTheRealTemporal()).containsExactly("dynamic_config", "log_level", "ui_port", "db");
        assertThat(temporal.positions().get("log_level").line()).isEqualTo(5);

        assertThat(error("temporal: {search_attributes: {X: Float}}\n").getMessage())
                .contains("search attribute X has type 'Float'; use one of Keyword, Text, Int, Double, Bool, Datetime, KeywordList");
        assertThat(error("temporal: {log_level: loud}\n").getMessage()).contains("temporal.log_level must be one of debug");
        assertThat(error("temporal: {db: nowhere/t.db}\n").getMessage()).contains("in a directory that does not exist");
        assertThat(error("temporal: {namespaces: [\"bad name\"]}\n").getMessage()).contains("is not a namespace name");
        assertThat(error("temporal: {ui: sometimes}\n").getMessage()).contains("temporal.ui must be true or false");
        assertThat(read("temporal: {db: memory}\n", Map.of()).temporal().options().db()).isEqualTo("memory");
    }

    @Test
    void aKeyTwiceIsAnError() throws Exception {
        assertThat(error("services:\n  a: {command: x}\n  a: {command: y}\n").getMessage()).contains("'a' appears twice");
    }

    @Test
    void locateFindsTheNearestFileUpwardsOrTheNamedOne() throws Exception {
        Path nested = Files.createDirectories(dir.resolve("project/src/deep"));
        assertThat(StackFileLocator.locate(nested, null, Map.of())).isEmpty();
        Path yml = write("project/stigmer.yml", "services: {}\n");
        assertThat(StackFileLocator.locate(nested, null, Map.of())).contains(yml);
        Path yaml = write("project/stigmer.yaml", "services: {}\n");
        assertThat(StackFileLocator.locate(nested, null, Map.of())).as(".yaml before .yml").contains(yaml);
        Path other = write("elsewhere/stack.yaml", "services: {}\n");
        assertThat(StackFileLocator.locate(nested, other.toString(), Map.of())).contains(other);
        assertThat(StackFileLocator.locate(nested, null, Map.of("STIGMER_FILE", other.toString()))).contains(other);
        StackFileException missing = catchThrowableOfType(StackFileException.class,
                () -> StackFileLocator.locate(nested, "missing.yaml", Map.of()));
        assertThat(missing.getMessage()).isEqualTo(nested.resolve("missing.yaml") + ":1:1: no such file (named by --file); "
                + "give the path of a stigmer.yaml");
    }
}
