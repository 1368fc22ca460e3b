package dev.stigmer.stackfile;

import dev.stigmer.control.ExternalTemporal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code temporal.external} and {@code temporal.profile}: an external Temporal, from the stack file or temporal.toml. */
class ExternalTemporalFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private ExternalDefinition external(String yaml, Map<String, String> env) throws Exception {
        return StackFile.read(write("stigmer.yaml", yaml), env, null).temporal().external();
    }

    private StackFileException error(String yaml, Map<String, String> env) throws IOException {
        Path file = write("stigmer.yaml", yaml);
        StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFile.read(file, env, null));
        assertThat(e).as("expected an error for:\n" + yaml).isNotNull();
        return e;
    }

    @Test
    void anExternalTemporalWithTlsFilesAndAnApiKeyVariableResolves() throws Exception {
        write("certs/ca.pem", "ca");
        write("certs/client.pem", "cert");
        write("certs/client.key", "key");
        ExternalDefinition external = external("""
                temporal:
                  external:
                    address: ns.acct.tmprl.cloud:7233
                    namespace: ns.acct
                    tls: {ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key, server_name: frontend.local}
                    api_key_env: MY_KEY
                services:
                  worker:
                    command: sleep 600
                    port: 7233
                """, Map.of());
        ExternalTemporal temporal = external.temporal();
        assertThat(temporal.address()).isEqualTo("ns.acct.tmprl.cloud:7233");
        assertThat(temporal.namespace()).isEqualTo("ns.acct");
        assertThat(temporal.tls()).isEqualTo(new ExternalTemporal.Tls(dir.resolve("certs/ca.pem").toString(),
                dir.resolve("certs/client.pem").toString(), dir.resolve("certs/client.key").toString(), "frontend.local"));
        assertThat(temporal.apiKey()).isTrue();
        assertThat(external.apiKey(Map.of("MY_KEY", "s3cret"))).isEqualTo("s3cret");
        assertThat(external.toString()).doesNotContain("s3cret");

        StackFileException unset = catchThrowableOfType(StackFileException.class, () -> external.apiKey(Map.of()));
        assertThat(unset.getMessage()).isEqualTo(dir.resolve("stigmer.yaml") + ":6:18: temporal.external.api_key_env "
                + "names MY_KEY, which is not set here; export MY_KEY with the API key, then run again");
    }

    @Test
    void anApiKeyTurnsTlsOnUnlessTlsIsFalseAndTheNamespaceDefaultsToDefault() throws Exception {
        ExternalDefinition keyed = external("""
                temporal:
                  external: {address: "temporal.example.com:7233", api_key_env: KEY}
                """, Map.of());
        assertThat(keyed.temporal().tls()).isEqualTo(new ExternalTemporal.Tls(null, null, null, null));
        assertThat(keyed.temporal().namespace()).isEqualTo("default");
        ExternalDefinition plain = external("""
                temporal:
                  external: {address: "10.0.0.5:7233", api_key_env: KEY, tls: false}
                """, Map.of());
        assertThat(plain.temporal().tls()).isNull();
        assertThat(external("temporal: {external: {address: \"h:1\"}}", Map.of()).temporal().tls()).isNull();
        assertThat(external("temporal: {external: {address: \"h:1\", tls: true}}", Map.of()).temporal().tls()).isNotNull();
    }

    @Test
    void mistakesInTheExternalSectionNameTheirPlace() throws Exception {
        String file = dir.resolve("stigmer.yaml").toString();
        assertThat(error("temporal:\n  external: {namespace: x}\n", Map.of()).getMessage())
                .startsWith(file + ":2:13: temporal.external needs an address");
        assertThat(error("temporal:\n  external: {address: \"temporal.example.com\"}\n", Map.of()).getMessage())
                .isEqualTo(file + ":2:23: temporal.external.address must be HOST:PORT (e.g. temporal.example.com:7233), "
                        + "got 'temporal.example.com'");
        assertThat(error("temporal:\n  port: 7300\n  external: {address: \"h:1\"}\n", Map.of()).getMessage())
                .isEqualTo(file + ":2:3: temporal.port is for a local Temporal, but temporal.external declares one that "
                        + "runs elsewhere; remove one of them");
        assertThat(error("temporal:\n  external: {address: \"h:1\"}\n  profile: cloud\n", Map.of()).getMessage())
                .startsWith(file + ":3:3: temporal has both external and profile; keep one");
        assertThat(error("temporal:\n  external: {address: \"h:1\", adress: x}\n", Map.of()).getMessage())
                .endsWith("unknown key 'adress' in temporal.external; did you mean 'address'?");
        assertThat(error("temporal:\n  external: {address: \"h:1\", tls: {ca: missing.pem}}\n", Map.of()).getMessage())
                .startsWith(file + ":2:40: temporal.external.tls.ca " + dir.resolve("missing.pem") + " does not exist");
        write("c.pem", "x");
        assertThat(error("temporal:\n  external: {address: \"h:1\", tls: {cert: c.pem}}\n", Map.of()).getMessage())
                .startsWith(file + ":2:36: temporal.external.tls has cert without key");
        assertThat(error("temporal:\n  external: {address: \"h:1\", tls: maybe}\n", Map.of()).getMessage())
                .contains("temporal.external.tls (true, false, or {ca, cert, key, server_name}) must be true or false");
        assertThat(error("temporal:\n  external: {address: \"h:1\", api_key_env: 1KEY}\n", Map.of()).getMessage())
                .contains("'1KEY' is not an environment variable name");
    }

    @Test
    void aProfileOfTemporalTomlIsReadAsTheSdksReadIt() throws Exception {
        write("ca.pem", "ca");
        Path toml = write("config/temporal.toml", """
                [profile.default]
                address = "localhost:7233"

                [profile.cloud]
                address = "ns.acct.tmprl.cloud:7233"
                namespace = "ns.acct"
                api_key = "from-the-profile"

                [profile.selfhosted]
                address = "temporal.internal:7233"
                namespace = "team"
                [profile.selfhosted.tls]
                server_ca_cert_path = "%s"
                server_name = "frontend.internal"

                [profile.keyed-plain]
                address = "10.1.1.1:7233"
                api_key = "k"
                [profile.keyed-plain.tls]
                disabled = true
                """.formatted(dir.resolve("ca.pem")));
        Map<String, String> env = Map.of("TEMPORAL_CONFIG_FILE", toml.toString());

        ExternalDefinition cloud = external("temporal: {profile: cloud}\n", env);
        assertThat(cloud.temporal().address()).isEqualTo("ns.acct.tmprl.cloud:7233");
        assertThat(cloud.temporal().namespace()).isEqualTo("ns.acct");
        assertThat(cloud.temporal().tls()).as("an API key turns TLS on").isNotNull();
        assertThat(cloud.apiKey(Map.of())).isEqualTo("from-the-profile");
        assertThat(cloud.profile()).isEqualTo("cloud");
        assertThat(cloud.temporal().source()).isEqualTo("profile cloud of " + toml);

        ExternalDefinition selfHosted = external("temporal: {profile: selfhosted}\n", env);
        assertThat(selfHosted.temporal().tls()).isEqualTo(new ExternalTemporal.Tls(dir.resolve("ca.pem").toString(),
                null, null, "frontend.internal"));
        assertThat(selfHosted.apiKey(Map.of())).isNull();

        assertThat(external("temporal: {profile: keyed-plain}\n", env).temporal().tls()).as("tls.disabled wins").isNull();
        assertThat(external("temporal:\n  profile:\n", env).temporal().address()).as("no name: default")
                .isEqualTo("localhost:7233");
        assertThat(external("temporal:\n  profile:\n", Map.of("TEMPORAL_CONFIG_FILE", toml.toString(),
                "TEMPORAL_PROFILE", "selfhosted")).temporal().namespace()).as("no name: TEMPORAL_PROFILE").isEqualTo("team");
        assertThat(external("temporal: {profile: cloud}\n", Map.of("TEMPORAL_CONFIG_FILE", toml.toString(),
                "TEMPORAL_ADDRESS", "127.0.0.1:9999")).temporal().address())
                .as("the caller's TEMPORAL_ADDRESS does not override the file's choice").isEqualTo("ns.acct.tmprl.cloud:7233");
    }

    @Test
    void aMissingNamedProfileOrABrokenTomlIsAnErrorThatSaysWhere() throws Exception {
        Path toml = write("temporal.toml", "[profile.default]\naddress = \"localhost:7233\"\n[profile.cloud]\naddress = 7\n");
        Map<String, String> env = Map.of("TEMPORAL_CONFIG_FILE", toml.toString());
        String file = dir.resolve("stigmer.yaml").toString();

        assertThat(error("temporal:\n  profile: prod\n", env).getMessage()).isEqualTo(file + ":2:12: profile 'prod' "
                + "(from temporal.profile) is not in " + toml + " (its profiles: default, cloud); fix the name or add it");
        assertThat(error("temporal:\n  profile:\n", Map.of("TEMPORAL_CONFIG_FILE", toml.toString(),
                "TEMPORAL_PROFILE", "staging")).getMessage()).contains("profile 'staging' (from TEMPORAL_PROFILE) is not in");
        assertThat(error("temporal: {profile: cloud}\n", env).getMessage())
                .isEqualTo(toml + ":4:1: address must be a string (in quotes), got 7");
        assertThat(error("temporal: {profile: cloud}\n", Map.of("TEMPORAL_CONFIG_FILE", dir.resolve("none.toml").toString()))
                .getMessage()).contains("profile 'cloud' (from temporal.profile) cannot be read: " + dir.resolve("none.toml")
                + " does not exist");

        Path broken = write("broken.toml", "[profile.default]\naddress = \"a:1\"\nnamespace = \n");
        assertThat(error("temporal: {profile: default}\n", Map.of("TEMPORAL_CONFIG_FILE", broken.toString())).getMessage())
                .startsWith(broken + ":3:").contains("not valid TOML");

        Path inline = write("inline.toml", "[profile.default]\naddress = \"a:1\"\n[profile.default.tls]\n"
                + "client_key_data = \"-----BEGIN PRIVATE KEY-----\"\n");
        assertThat(error("temporal: {profile: default}\n", Map.of("TEMPORAL_CONFIG_FILE", inline.toString())).getMessage())
                .startsWith(inline + ":4:1: tls.client_key_data (inline PEM) is not supported");
    }

    @Test
    void theDefaultFileIsInTheUsersConfigDirectory() {
        assertThat(TemporalProfiles.configFile(Map.of("HOME", "/home/u"))).isEqualTo(Path.of("/home/u/.config/temporalio/temporal.toml"));
        assertThat(TemporalProfiles.configFile(Map.of("HOME", "/home/u", "XDG_CONFIG_HOME", "/cfg")))
                .isEqualTo(Path.of("/cfg/temporalio/temporal.toml"));
        assertThat(TemporalProfiles.configFile(Map.of("HOME", "/home/u", "TEMPORAL_CONFIG_FILE", "/etc/t.toml")))
                .isEqualTo(Path.of("/etc/t.toml"));
    }
}
