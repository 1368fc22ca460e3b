package dev.stigmer.stackfile;

import dev.stigmer.control.ExternalTemporal;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A profile of Temporal's client configuration file, temporal.toml, read as the Temporal CLI and
 * SDKs read it: the file is TEMPORAL_CONFIG_FILE, else temporal.toml in the user's config
 * directory; the profile is the one named, else TEMPORAL_PROFILE, else {@code default}; a profile
 * that was named and is missing is an error. Not applied on top: the TEMPORAL_* variables of the
 * caller's shell (they may be what `stigmer local env` printed for another Temporal; the stack
 * file decides). Loaded only when a stack file names a profile, so its TOML parser never costs
 * the CLI's other calls anything.
 */
final class TemporalProfiles {
    private TemporalProfiles() {
    }

    /**
     * @param named the profile the stack file names; null: TEMPORAL_PROFILE, else default
     * @param at    where the stack file names it, for errors about the choice itself
     * @param cwd   relative certificate paths are taken from here, as a client run here would
     */
    static ExternalDefinition load(String named, Map<String, String> env, Position at, Path cwd) throws StackFileException {
        String fromEnv = blankToNull(env.get("TEMPORAL_PROFILE"));
        String name = named != null ? named : fromEnv != null ? fromEnv : "default";
        String chosenBy = named != null ? "temporal.profile" : fromEnv != null ? "TEMPORAL_PROFILE" : null;
        Path file = configFile(env);
        if (!Files.isRegularFile(file)) {
            throw new StackFileException(at, (chosenBy == null ? "temporal.profile: no profile named and " : "profile '"
                    + name + "' (from " + chosenBy + ") cannot be read: ") + file + " does not exist; create it (`temporal "
                    + "config set --profile " + name + " --prop address --value HOST:PORT`) or point TEMPORAL_CONFIG_FILE at it");
        }
        TomlParseResult toml;
        try {
            toml = Toml.parse(file);
        } catch (IOException e) {
            throw new StackFileException(at, "cannot read " + file + ": " + e.getMessage());
        }
        if (toml.hasErrors()) {
            TomlParseError error = toml.errors().getFirst();
            throw new StackFileException(position(file, error.position()), "not valid TOML: " + error.getMessage());
        }
        TomlTable profiles = toml.isTable("profile") ? toml.getTable("profile") : null;
        if (profiles == null || !profiles.isTable(List.of(name))) {
            String known = profiles == null || profiles.isEmpty() ? "none" : String.join(", ", profiles.keySet());
            throw new StackFileException(at, "profile '" + name + "'" + (chosenBy == null ? "" : " (from " + chosenBy + ")")
                    + " is not in " + file + " (its profiles: " + known + "); "
                    + (chosenBy == null ? "name one with temporal.profile, or add [profile.default]" : "fix the name or add it"));
        }
        return new Reader(file, name, profiles.getTable(List.of(name)),
                position(file, toml.inputPositionOf(List.of("profile", name))), cwd).read();
    }

    /** TEMPORAL_CONFIG_FILE, else the Temporal CLI's default: $XDG_CONFIG_HOME, else ~/.config, then temporalio/temporal.toml. */
    static Path configFile(Map<String, String> env) {
        String explicit = blankToNull(env.get("TEMPORAL_CONFIG_FILE"));
        if (explicit != null) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        String xdg = blankToNull(env.get("XDG_CONFIG_HOME"));
        Path config = xdg != null ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return config.resolve("temporalio").resolve("temporal.toml").toAbsolutePath().normalize();
    }

    /** Why {@code address} is not HOST:PORT, or null when it is. */
    static String addressProblem(String address) {
        int colon = address.lastIndexOf(':');
        if (colon > 0) {
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port >= 1 && port <= 65535 && !address.substring(0, colon).isBlank() && !address.contains("/")) {
                    return null;
                }
            } catch (NumberFormatException ignored) {
                // said below
            }
        }
        return "must be HOST:PORT (e.g. temporal.example.com:7233), got '" + address + "'";
    }

    private static Position position(Path file, TomlPosition position) {
        return position == null ? new Position(file, 1, 1) : new Position(file, position.line(), position.column());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /** One profile's keys, each checked where it is written. */
    private record Reader(Path file, String name, TomlTable profile, Position tableAt, Path cwd) {

        ExternalDefinition read() throws StackFileException {
            String what = "[profile." + name + "]";
            for (String key : profile.keySet()) {
                if (key.equals("grpc_meta")) {
                    throw new StackFileException(at(List.of(key)), what + " grpc_meta is not supported by stigmer local; "
                            + "remove it from this profile, or use temporal.external in the stack file");
                }
            }
            String address = string(List.of("address"));
            if (address == null) {
                throw new StackFileException(tableAt, what + " has no address; add address = \"HOST:PORT\"");
            }
            String problem = addressProblem(address.trim());
            if (problem != null) {
                throw new StackFileException(at(List.of("address")), "address " + problem);
            }
            String namespace = string(List.of("namespace"));
            String apiKey = string(List.of("api_key"));
            if (apiKey != null && apiKey.isEmpty()) {
                apiKey = null;
            }
            ExternalTemporal.Tls tls = tls(apiKey != null);
            ExternalTemporal temporal = new ExternalTemporal(address.trim(),
                    namespace == null || namespace.isBlank() ? "default" : namespace.trim(), tls, apiKey != null,
                    "profile " + name + " of " + file);
            return new ExternalDefinition(temporal, null, null, apiKey, name, file.toString());
        }

        /** As the SDKs decide: a [tls] table turns TLS on unless disabled = true; an API key alone turns it on too. */
        private ExternalTemporal.Tls tls(boolean apiKey) throws StackFileException {
            List<String> tlsPath = List.of("tls");
            if (!profile.contains(tlsPath)) {
                return apiKey ? new ExternalTemporal.Tls(null, null, null, null) : null;
            }
            if (!profile.isTable(tlsPath)) {
                throw new StackFileException(at(tlsPath), "tls must be a table ([profile." + name + ".tls])");
            }
            TomlTable tls = profile.getTable(tlsPath);
            for (String key : tls.keySet()) {
                List<String> path = List.of("tls", key);
                if (key.endsWith("_data")) {
                    throw new StackFileException(at(path), "tls." + key + " (inline PEM) is not supported by stigmer local: "
                            + "it passes files, not key material, to its daemon and services; write it to a file and use "
                            + key.replace("_data", "_path"));
                }
                if (key.equals("disable_host_verification") && Boolean.TRUE.equals(bool(path))) {
                    throw new StackFileException(at(path), "tls.disable_host_verification is not supported by stigmer local; "
                            + "give the server's CA as server_ca_cert_path instead");
                }
            }
            if (Boolean.TRUE.equals(bool(List.of("tls", "disabled")))) {
                return null;
            }
            String ca = pemFile(List.of("tls", "server_ca_cert_path"));
            String cert = pemFile(List.of("tls", "client_cert_path"));
            String key = pemFile(List.of("tls", "client_key_path"));
            if ((cert == null) != (key == null)) {
                List<String> given = List.of("tls", cert != null ? "client_cert_path" : "client_key_path");
                throw new StackFileException(at(given), "tls." + given.get(1) + " without its pair; a client certificate "
                        + "needs client_cert_path and client_key_path");
            }
            String serverName = string(List.of("tls", "server_name"));
            return new ExternalTemporal.Tls(ca, cert, key, serverName == null || serverName.isBlank() ? null : serverName.trim());
        }

        private String pemFile(List<String> path) throws StackFileException {
            String text = string(path);
            if (text == null || text.isBlank()) {
                return null;
            }
            Path pem = cwd.resolve(text).normalize();
            if (!Files.isRegularFile(pem) || !Files.isReadable(pem)) {
                throw new StackFileException(at(path), "tls." + path.get(1) + " " + pem
                        + (Files.exists(pem) ? " is not a readable file" : " does not exist"));
            }
            return pem.toString();
        }

        private String string(List<String> path) throws StackFileException {
            Object value = profile.get(path);
            if (value == null) {
                return null;
            }
            if (!(value instanceof String text)) {
                throw new StackFileException(at(path), String.join(".", path) + " must be a string (in quotes), got " + value);
            }
            return text;
        }

        private Boolean bool(List<String> path) throws StackFileException {
            Object value = profile.get(path);
            if (value == null) {
                return null;
            }
            if (!(value instanceof Boolean flag)) {
                throw new StackFileException(at(path), String.join(".", path) + " must be true or false, got " + value);
            }
            return flag;
        }

        private Position at(List<String> path) {
            return position(file, profile.inputPositionOf(path));
        }
    }
}
