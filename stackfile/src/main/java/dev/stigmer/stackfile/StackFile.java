package dev.stigmer.stackfile;

import dev.stigmer.config.TemporalDefaults;
import dev.stigmer.control.ExternalTemporal;
import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.stack.DependencyDefinition;
import dev.stigmer.stack.DependencyCondition;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.stack.WatchDefinition;
import dev.stigmer.control.TemporalOptions;
import dev.stigmer.probe.ProbeDefinition;
import dev.stigmer.stackfile.Nodes.Entry;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code stigmer.yaml} (found by {@link StackFileLocator}). Reading validates everything that can be known before a start and
 * resolves it into a {@link StackDefinition}; the first problem is thrown, with its position.
 */
public final class StackFile {
    static final String TEMPORAL = TemporalDefaults.NAME;
    static final Set<String> RESERVED = Set.of(TEMPORAL, "daemon", "cli");

    private static final List<String> TOP = List.of(TEMPORAL, "services");
    private static final List<String> TEMPORAL_KEYS = List.of("port", "bin", "external", "profile", "namespaces", "search_attributes",
            "dynamic_config", "log_level", "ui", "ui_port", "db");
    private static final List<String> SEARCH_ATTRIBUTE_TYPES = List.of("Keyword", "Text", "Int", "Double", "Bool",
            "Datetime", "KeywordList");
    private static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error", "never");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");
    private static final List<String> EXTERNAL_KEYS = List.of("address", "namespace", "tls", "api_key_env");
    private static final List<String> TLS_KEYS = List.of("ca", "cert", "key", "server_name");
    private static final List<String> SERVICE_KEYS = List.of("command", "working_dir", "env", "env_file", "port",
            "depends_on", "ready", "health", "restart", "stop_signal", "stop_grace", "start_timeout", "watch");
    private static final List<String> WATCH_KEYS = List.of("paths", "ignore", "rebuild", "debounce");
    private static final List<String> EDGE_KEYS = List.of("condition", "restart");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final long DEFAULT_STOP_GRACE = 10_000;
    private static final long DEFAULT_START_TIMEOUT = 60_000;

    private final Path file;
    private final Path dir;
    private final Nodes nodes;
    private final Map<String, String> env;

    private StackFile(Path file, Map<String, String> env) {
        this.file = file;
        this.dir = file.getParent();
        this.nodes = new Nodes(file, env);
        this.env = env;
    }

    /**
     * Reads and resolves {@code file}. {@code temporalPort} is Temporal's port when a flag or the
     * environment sets it (they win over the file), else null; services may not use it.
     */
    public static StackDefinition read(Path file, Map<String, String> env, Integer temporalPort) throws StackFileException {
        Path absolute = file.toAbsolutePath().normalize();
        return new StackFile(absolute, env).read(temporalPort);
    }

    private StackDefinition read(Integer temporalPortOverride) throws StackFileException {
        Node root = compose();
        Map<String, Entry> top = nodes.mapping(root, "the stack file", TOP);
        TemporalDefinition temporal = top.containsKey(TEMPORAL) ? temporal(top.get(TEMPORAL).value())
                : TemporalDefinition.NOT_SET;
        Map<String, ServiceDefinition> services = new LinkedHashMap<>();
        Map<String, Map<String, Entry>> edges = new LinkedHashMap<>(); // for positions in graph errors
        Map<String, Entry> portEntries = new LinkedHashMap<>();
        if (top.containsKey("services") && !isNull(top.get("services").value())) {
            for (Entry entry : nodes.mapping(top.get("services").value(), "services", null).values()) {
                String name = checkName(entry);
                Map<String, Entry> keys = nodes.mapping(entry.value(), "service " + name, SERVICE_KEYS);
                services.put(name, service(name, keys, edges));
                if (keys.containsKey("port")) {
                    portEntries.put(name, keys.get("port"));
                }
            }
        }
        checkDependencies(services, edges);
        int temporalPort = temporal.external() != null ? -1 // nothing of Temporal's listens here
                : temporalPortOverride != null ? temporalPortOverride
                : temporal.port() != null ? temporal.port() : TemporalDefaults.PORT;
        checkPorts(services, portEntries, temporalPort);
        return new StackDefinition(file.toString(), temporal, services);
    }

    private Node compose() throws StackFileException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new StackFileException(new Position(file, 1, 1), "cannot read the stack file: " + e.getMessage());
        }
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false).build();
            Optional<Node> root = new Compose(settings).composeString(text);
            if (root.isEmpty() || isNull(root.get())) {
                throw new StackFileException(new Position(file, 1, 1),
                        "the stack file is empty; declare `services:` (and optionally `temporal:`)");
            }
            return root.get();
        } catch (MarkedYamlEngineException e) {
            Position at = e.getProblemMark().map(mark -> Position.of(file, mark)).orElse(new Position(file, 1, 1));
            String context = e.getContext() == null ? "" : " " + e.getContext();
            throw new StackFileException(at, "not valid YAML: " + e.getProblem() + context);
        } catch (YamlEngineException e) {
            throw new StackFileException(new Position(file, 1, 1), "not valid YAML: " + e.getMessage());
        }
    }

    private TemporalDefinition temporal(Node node) throws StackFileException {
        if (isNull(node)) {
            return TemporalDefinition.NOT_SET;
        }
        Map<String, Entry> keys = nodes.mapping(node, TEMPORAL, TEMPORAL_KEYS);
        ExternalDefinition external = external(keys);
        Integer port = keys.containsKey("port") ? nodes.port(keys.get("port").value(), "temporal.port") : null;
        String bin = null;
        if (keys.containsKey("bin")) {
            Node binNode = keys.get("bin").value();
            Path path = dir.resolve(nodes.string(binNode, "temporal.bin")).normalize();
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new StackFileException(nodes.at(binNode), "temporal.bin " + path
                        + (Files.exists(path) ? " is not an executable file; chmod +x it" : " does not exist")
                        + " or point it at a temporal executable");
            }
            bin = path.toString();
        }
        Map<String, Position> positions = new LinkedHashMap<>();
        keys.forEach((key, entry) -> positions.put(key, nodes.at(entry.keyNode())));
        return new TemporalDefinition(port, bin, options(keys), positions, external);
    }

    /** The options `temporal server start-dev` takes, checked here; which Temporal can honour them is the CLI's to say. */
    private TemporalOptions options(Map<String, Entry> keys) throws StackFileException {
        List<String> namespaces = new ArrayList<>();
        if (keys.containsKey("namespaces")) {
            for (Node item : nodes.sequence(keys.get("namespaces").value(), "temporal.namespaces")) {
                String namespace = nodes.string(item, "a namespace");
                if (!NAMESPACE.matcher(namespace).matches()) {
                    throw new StackFileException(nodes.at(item), "'" + namespace + "' is not a namespace name; use letters, "
                            + "digits, '.', '-' and '_'");
                }
                if (!namespace.equals("default") && !namespaces.contains(namespace)) {
                    namespaces.add(namespace); // `default` always exists
                }
            }
        }
        Map<String, String> searchAttributes = new LinkedHashMap<>();
        if (keys.containsKey("search_attributes")) {
            for (Entry entry : nodes.mapping(keys.get("search_attributes").value(), "temporal.search_attributes", null).values()) {
                String type = nodes.string(entry.value(), "the type of search attribute " + entry.key());
                String canonical = SEARCH_ATTRIBUTE_TYPES.stream().filter(t -> t.equalsIgnoreCase(type)).findFirst()
                        .orElseThrow(() -> new StackFileException(nodes.at(entry.value()), "search attribute "
                                + entry.key() + " has type '" + type + "'; use one of " + String.join(", ", SEARCH_ATTRIBUTE_TYPES)));
                if (!entry.key().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new StackFileException(nodes.at(entry.keyNode()), "'" + entry.key()
                            + "' is not a search attribute name; use letters, digits and '_'");
                }
                searchAttributes.put(entry.key(), canonical);
            }
        }
        Map<String, String> dynamicConfig = new LinkedHashMap<>();
        if (keys.containsKey("dynamic_config")) {
            for (Entry entry : nodes.mapping(keys.get("dynamic_config").value(), "temporal.dynamic_config", null).values()) {
                dynamicConfig.put(entry.key(), nodes.json(entry.value(), "dynamic_config " + entry.key()));
            }
        }
        String logLevel = null;
        if (keys.containsKey("log_level")) {
            Node node = keys.get("log_level").value();
            logLevel = nodes.string(node, "temporal.log_level");
            if (!LOG_LEVELS.contains(logLevel)) {
                throw new StackFileException(nodes.at(node), "temporal.log_level must be one of " + String.join(", ", LOG_LEVELS)
                        + ", got '" + logLevel + "'");
            }
        }
        Boolean ui = keys.containsKey("ui") ? nodes.bool(keys.get("ui").value(), "temporal.ui") : null;
        Integer uiPort = keys.containsKey("ui_port") ? nodes.port(keys.get("ui_port").value(), "temporal.ui_port") : null;
        String db = null;
        if (keys.containsKey("db")) {
            String text = nodes.string(keys.get("db").value(), "temporal.db");
            db = text.equals(TemporalOptions.MEMORY) ? text : dir.resolve(text).normalize().toString();
            if (!db.equals(TemporalOptions.MEMORY) && !Files.isDirectory(Path.of(db).getParent())) {
                throw new StackFileException(nodes.at(keys.get("db").value()), "temporal.db " + db + " is in a directory "
                        + "that does not exist; create it, or write memory to keep nothing");
            }
        }
        return new TemporalOptions(namespaces, searchAttributes, dynamicConfig, logLevel, ui, uiPort, db);
    }

    // ---- an external Temporal ----------------------------------------------------------------

    /** {@code temporal.external} or {@code temporal.profile}, alone in the section; null when neither is there. */
    private ExternalDefinition external(Map<String, Entry> keys) throws StackFileException {
        Entry external = keys.get("external");
        Entry profile = keys.get("profile");
        if (external == null && profile == null) {
            return null;
        }
        if (external != null && profile != null) {
            Entry second = at(external).line() < at(profile).line() ? profile : external;
            throw new StackFileException(at(second), "temporal has both external and profile; keep one "
                    + "(a profile is an external Temporal declared in temporal.toml)");
        }
        Entry declared = external != null ? external : profile;
        for (Entry other : keys.values()) {
            if (other != declared) {
                throw new StackFileException(at(other), "temporal." + other.key() + " is for a local Temporal, but temporal."
                        + declared.key() + " declares one that runs elsewhere; remove one of them");
            }
        }
        return external != null ? externalSection(external.value()) : profile(profile.value());
    }

    private Position at(Entry entry) {
        return nodes.at(entry.keyNode());
    }

    private ExternalDefinition externalSection(Node node) throws StackFileException {
        String what = "temporal.external";
        Map<String, Entry> keys = nodes.mapping(node, what, EXTERNAL_KEYS);
        if (!keys.containsKey("address")) {
            throw new StackFileException(nodes.at(node), what + " needs an address: HOST:PORT of the Temporal frontend "
                    + "(for Temporal Cloud: NAMESPACE.ACCOUNT.tmprl.cloud:7233)");
        }
        String address = externalAddress(keys.get("address").value(), what + ".address");
        String namespace = "default";
        if (keys.containsKey("namespace")) {
            namespace = nodes.string(keys.get("namespace").value(), what + ".namespace").trim();
            if (namespace.isEmpty()) {
                throw new StackFileException(nodes.at(keys.get("namespace").value()), what + ".namespace is empty; "
                        + "give the namespace's name, or remove it for `default`");
            }
        }
        String apiKeyVariable = null;
        Position apiKeyAt = null;
        if (keys.containsKey("api_key_env")) {
            Node variable = keys.get("api_key_env").value();
            apiKeyVariable = checkVariable(nodes.string(variable, what + ".api_key_env"), variable);
            apiKeyAt = nodes.at(variable);
        }
        // As in Temporal's SDKs: an API key turns TLS on unless tls: false says otherwise.
        ExternalTemporal.Tls tls = apiKeyVariable != null ? new ExternalTemporal.Tls(null, null, null, null) : null;
        if (keys.containsKey("tls")) {
            tls = tls(keys.get("tls").value(), what + ".tls");
        }
        return new ExternalDefinition(new ExternalTemporal(address, namespace, tls, apiKeyVariable != null, file.toString()),
                apiKeyVariable, apiKeyAt, null, null, null);
    }

    /** {@code tls: true|false} or {@code tls: {ca, cert, key, server_name}}; null: plaintext. */
    private ExternalTemporal.Tls tls(Node node, String what) throws StackFileException {
        if (!nodes.isMapping(node)) {
            return nodes.bool(node, what + " (true, false, or {ca, cert, key, server_name})")
                    ? new ExternalTemporal.Tls(null, null, null, null) : null;
        }
        Map<String, Entry> keys = nodes.mapping(node, what, TLS_KEYS);
        String ca = keys.containsKey("ca") ? pemFile(keys.get("ca").value(), what + ".ca") : null;
        String cert = keys.containsKey("cert") ? pemFile(keys.get("cert").value(), what + ".cert") : null;
        String key = keys.containsKey("key") ? pemFile(keys.get("key").value(), what + ".key") : null;
        if ((cert == null) != (key == null)) {
            Entry given = keys.containsKey("cert") ? keys.get("cert") : keys.get("key");
            throw new StackFileException(at(given), what + " has " + given.key() + " without "
                    + (given.key().equals("cert") ? "key" : "cert") + "; a client certificate needs both (PEM files)");
        }
        String serverName = keys.containsKey("server_name")
                ? nodes.string(keys.get("server_name").value(), what + ".server_name").trim() : null;
        return new ExternalTemporal.Tls(ca, cert, key, serverName);
    }

    /** A readable file, relative to the stack file's directory; its absolute path. */
    private String pemFile(Node node, String what) throws StackFileException {
        Path path = dir.resolve(nodes.string(node, what)).normalize();
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new StackFileException(nodes.at(node), what + " " + path + (Files.exists(path) ? " is not a readable file"
                    : " does not exist") + "; give the path of a PEM file (relative to " + dir + ")");
        }
        return path.toString();
    }

    /** HOST:PORT, both required (no default host: it runs elsewhere). */
    private String externalAddress(Node node, String what) throws StackFileException {
        String text = nodes.string(node, what).trim();
        String problem = TemporalProfiles.addressProblem(text);
        if (problem != null) {
            throw new StackFileException(nodes.at(node), what + " " + problem);
        }
        return text;
    }

    /** {@code profile: NAME} (or empty: TEMPORAL_PROFILE, else default), read from temporal.toml. */
    private ExternalDefinition profile(Node node) throws StackFileException {
        String name = null;
        if (!isNull(node)) {
            name = nodes.string(node, "temporal.profile").trim();
        }
        return TemporalProfiles.load(name == null || name.isEmpty() ? null : name, env, nodes.at(node), Path.of("").toAbsolutePath());
    }

    private String checkName(Entry entry) throws StackFileException {
        String name = entry.key();
        if (RESERVED.contains(name)) {
            throw new StackFileException(nodes.at(entry.keyNode()), "'" + name + "' is reserved; give the service "
                    + "another name" + (name.equals(TEMPORAL) ? " (Temporal is configured under the top-level `temporal:`)" : ""));
        }
        if (!NAME.matcher(name).matches()) {
            throw new StackFileException(nodes.at(entry.keyNode()), "'" + name + "' is not a valid service name; "
                    + "use lowercase letters, digits, '-' and '_', starting with a letter or digit");
        }
        return name;
    }

    private ServiceDefinition service(String name, Map<String, Entry> keys, Map<String, Map<String, Entry>> edges)
            throws StackFileException {
        String what = "service " + name;
        if (!keys.containsKey("command")) {
            Node at = keys.isEmpty() ? null : keys.values().iterator().next().keyNode();
            throw new StackFileException(at == null ? new Position(file, 1, 1) : nodes.at(at),
                    what + " has no command; add `command:` (a string run by /bin/sh -c, or a list)");
        }
        List<String> command = nodes.command(keys.get("command").value(), what + " command");
        Path workingDir = dir;
        if (keys.containsKey("working_dir")) {
            Node node = keys.get("working_dir").value();
            workingDir = dir.resolve(nodes.string(node, what + " working_dir")).normalize();
            if (!Files.isDirectory(workingDir)) {
                throw new StackFileException(nodes.at(node), what + " working_dir " + workingDir
                        + " is not a directory; create it or fix the path (relative to " + dir + ")");
            }
        }
        Map<String, String> environment = new LinkedHashMap<>();
        if (keys.containsKey("env_file")) {
            Node node = keys.get("env_file").value();
            List<Node> files = nodes.isSequence(node) ? nodes.sequence(node, what + " env_file") : List.of(node);
            for (Node one : files) {
                Path envFile = dir.resolve(nodes.string(one, what + " env_file")).normalize();
                if (!Files.isRegularFile(envFile)) {
                    throw new StackFileException(nodes.at(one), what + " env_file " + envFile
                            + " does not exist; create it or remove it from env_file");
                }
                environment.putAll(EnvFile.read(envFile, nodes.at(one)));
            }
        }
        if (keys.containsKey("env")) {
            environment.putAll(env(keys.get("env").value(), what + " env"));
        }
        Integer port = keys.containsKey("port") ? nodes.port(keys.get("port").value(), what + " port") : null;
        Map<String, DependencyDefinition> dependsOn = new LinkedHashMap<>();
        if (keys.containsKey("depends_on")) {
            edges.put(name, dependsOn(keys.get("depends_on").value(), what, dependsOn));
        }
        ProbeDefinition ready = keys.containsKey("ready") ? probe(keys.get("ready").value(), what + " ready", true) : null;
        ProbeDefinition health = keys.containsKey("health") ? probe(keys.get("health").value(), what + " health", false) : null;
        RestartMode restart = RestartMode.ALWAYS;
        if (keys.containsKey("restart")) {
            Node node = keys.get("restart").value();
            String text = nodes.string(node, what + " restart");
            restart = RestartMode.of(text).orElseThrow(() -> new StackFileException(nodes.at(node), what
                    + " restart must be " + RestartMode.choices() + ", got '" + text + "'"
                    + (text.equals("false") ? " (write \"no\")" : "")));
        }
        int stopSignal = Signals.TERM;
        if (keys.containsKey("stop_signal")) {
            Node node = keys.get("stop_signal").value();
            String text = nodes.string(node, what + " stop_signal");
            stopSignal = Signals.number(text);
            if (stopSignal < 0) {
                throw new StackFileException(nodes.at(node), what + " stop_signal must be one of " + Signals.names()
                        + ", got '" + text + "'");
            }
        }
        long stopGrace = keys.containsKey("stop_grace") ? nodes.millis(keys.get("stop_grace").value(), what + " stop_grace")
                : DEFAULT_STOP_GRACE;
        long startTimeout = keys.containsKey("start_timeout")
                ? nodes.millis(keys.get("start_timeout").value(), what + " start_timeout") : DEFAULT_START_TIMEOUT;
        WatchDefinition watch = keys.containsKey("watch") ? watch(keys.get("watch").value(), what + " watch") : null;
        return new ServiceDefinition(name, command, workingDir.toString(), environment, port, dependsOn, ready, health,
                restart, stopSignal, stopGrace, startTimeout, watch);
    }

    /** {@code watch: [PATH...]} or {@code watch: {paths, ignore, rebuild, debounce}}. */
    private WatchDefinition watch(Node node, String what) throws StackFileException {
        Map<String, Entry> keys;
        Node pathsNode;
        if (nodes.isSequence(node)) {
            keys = Map.of();
            pathsNode = node;
        } else {
            keys = nodes.mapping(node, what + " (a list of paths, or {paths, ignore, rebuild, debounce})", WATCH_KEYS);
            if (!keys.containsKey("paths")) {
                throw new StackFileException(nodes.at(node), what + " needs paths: the files or directories to watch, "
                        + "relative to " + dir);
            }
            pathsNode = keys.get("paths").value();
        }
        List<String> paths = new ArrayList<>();
        List<String> include = new ArrayList<>();
        List<Node> items = nodes.isSequence(pathsNode) ? nodes.sequence(pathsNode, what + " paths") : List.of(pathsNode);
        if (items.isEmpty()) {
            throw new StackFileException(nodes.at(pathsNode), what + " has no paths; list the files or directories to watch");
        }
        for (Node item : items) {
            String written = nodes.string(item, what + " path");
            // A glob: watch its directory part, keep the rest as a filter.
            String[] parts = written.split("/", -1);
            int firstGlob = 0;
            while (firstGlob < parts.length && !parts[firstGlob].matches(".*[*?\\[{].*")) {
                firstGlob++;
            }
            String fixed = String.join("/", java.util.Arrays.copyOfRange(parts, 0, firstGlob));
            Path path = dir.resolve(fixed.isEmpty() ? "." : fixed).normalize();
            if (!Files.exists(path)) {
                throw new StackFileException(nodes.at(item), what + " path " + path + " does not exist; create it or fix "
                        + "the path (relative to " + dir + ")");
            }
            if (firstGlob < parts.length && !Files.isDirectory(path)) {
                throw new StackFileException(nodes.at(item), what + " path " + written + ": " + path + " is not a directory");
            }
            paths.add(path.toString());
            include.add(String.join("/", java.util.Arrays.copyOfRange(parts, firstGlob, parts.length)));
        }
        List<String> ignore = new ArrayList<>();
        if (keys.containsKey("ignore")) {
            Node ignoreNode = keys.get("ignore").value();
            for (Node item : nodes.isSequence(ignoreNode) ? nodes.sequence(ignoreNode, what + " ignore") : List.of(ignoreNode)) {
                String pattern = nodes.string(item, what + " ignore pattern");
                try {
                    java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + pattern);
                } catch (RuntimeException e) {
                    throw new StackFileException(nodes.at(item), what + " ignore pattern '" + pattern + "' is not a glob: "
                            + e.getMessage());
                }
                ignore.add(pattern);
            }
        }
        List<String> rebuild = keys.containsKey("rebuild") ? nodes.command(keys.get("rebuild").value(), what + " rebuild")
                : List.of();
        long debounce = keys.containsKey("debounce") ? nodes.millis(keys.get("debounce").value(), what + " debounce")
                : WatchDefinition.DEFAULT_DEBOUNCE_MILLIS;
        return new WatchDefinition(dir.toString(), paths, include, ignore, rebuild, debounce);
    }

    private Map<String, String> env(Node node, String what) throws StackFileException {
        Map<String, String> env = new LinkedHashMap<>();
        if (nodes.isSequence(node)) { // compose's list form: KEY=VALUE
            for (Node item : nodes.sequence(node, what)) {
                String line = nodes.string(item, what + " entry");
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new StackFileException(nodes.at(item), what + " entries must be KEY=VALUE, got '" + line + "'");
                }
                env.put(checkVariable(line.substring(0, eq), item), line.substring(eq + 1));
            }
            return env;
        }
        for (Entry entry : nodes.mapping(node, what, null).values()) {
            env.put(checkVariable(entry.key(), entry.keyNode()), isNull(entry.value()) ? ""
                    : nodes.string(entry.value(), what + " " + entry.key()));
        }
        return env;
    }

    private String checkVariable(String name, Node at) throws StackFileException {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new StackFileException(nodes.at(at), "'" + name + "' is not an environment variable name "
                    + "(letters, digits and _, not starting with a digit)");
        }
        return name;
    }

    /** Fills {@code into}; returns the entries by dependency name, for positions in later errors. */
    private Map<String, Entry> dependsOn(Node node, String what, Map<String, DependencyDefinition> into)
            throws StackFileException {
        Map<String, Entry> positions = new LinkedHashMap<>();
        if (nodes.isSequence(node)) { // short form: each must be healthy
            for (Node item : nodes.sequence(node, what + " depends_on")) {
                String dependency = nodes.string(item, "a depends_on entry");
                if (positions.containsKey(dependency)) {
                    throw new StackFileException(nodes.at(item), what + " lists '" + dependency + "' twice in depends_on");
                }
                positions.put(dependency, new Entry(dependency, item, item));
                into.put(dependency, new DependencyDefinition(DependencyCondition.HEALTHY, false));
            }
            return positions;
        }
        for (Entry entry : nodes.mapping(node, what + " depends_on", null).values()) {
            DependencyCondition condition = DependencyCondition.HEALTHY;
            boolean restart = false;
            if (!isNull(entry.value())) {
                Map<String, Entry> keys = nodes.mapping(entry.value(), what + " depends_on " + entry.key(), EDGE_KEYS);
                if (keys.containsKey("condition")) {
                    Node conditionNode = keys.get("condition").value();
                    String text = nodes.string(conditionNode, "condition");
                    condition = switch (text) {
                        case "started" -> DependencyCondition.STARTED;
                        case "healthy" -> DependencyCondition.HEALTHY;
                        case "completed" -> DependencyCondition.COMPLETED;
                        default -> throw new StackFileException(nodes.at(conditionNode),
                                "condition must be started, healthy or completed, got '" + text + "'");
                    };
                }
                if (keys.containsKey("restart")) {
                    restart = nodes.bool(keys.get("restart").value(), what + " depends_on " + entry.key() + " restart");
                }
            }
            positions.put(entry.key(), entry);
            into.put(entry.key(), new DependencyDefinition(condition, restart));
        }
        return positions;
    }

    private ProbeDefinition probe(Node node, String what, boolean readiness) throws StackFileException {
        return ProbeDefinition.parse(new ProbeNode(nodes, node, nodes.mapping(node, what, ProbeDefinition.keys()), what, readiness));
    }

    private void checkDependencies(Map<String, ServiceDefinition> services, Map<String, Map<String, Entry>> edges)
            throws StackFileException {
        for (var service : services.values()) {
            Map<String, Entry> positions = edges.getOrDefault(service.name(), Map.of());
            for (var edge : service.dependsOn().entrySet()) {
                String dependency = edge.getKey();
                Position at = nodes.at(positions.get(dependency).keyNode());
                if (dependency.equals(service.name())) {
                    throw new StackFileException(at, "service " + dependency + " depends on itself; remove that entry");
                }
                if (dependency.equals(TEMPORAL)) {
                    if (edge.getValue().condition() == DependencyCondition.COMPLETED) {
                        throw new StackFileException(at, "Temporal runs until stopped and never completes; "
                                + "depend on it with condition healthy or started");
                    }
                    continue;
                }
                ServiceDefinition target = services.get(dependency);
                if (target == null) {
                    List<String> known = new ArrayList<>(services.keySet());
                    known.add(TEMPORAL);
                    throw new StackFileException(at, "service " + service.name() + " depends on '" + dependency
                            + "', which is not defined; " + Suggestions.closest(dependency, known)
                            .map(s -> "did you mean '" + s + "'?").orElse("define it under services, or remove it"));
                }
                if (edge.getValue().condition() == DependencyCondition.COMPLETED && !target.restart().canComplete()) {
                    throw new StackFileException(at, "service " + service.name() + " waits for " + dependency
                            + " to complete, but " + dependency + " has restart: " + target.restart().written()
                            + " and never completes; give " + dependency + " a restart that can complete ("
                            + java.util.Arrays.stream(RestartMode.values()).filter(RestartMode::canComplete)
                            .map(RestartMode::written).collect(java.util.stream.Collectors.joining(" or "))
                            + "), or wait for it to be healthy");
                }
            }
        }
        for (String start : services.keySet()) {
            List<String> cycle = cycleFrom(start, services, new ArrayList<>());
            if (cycle != null) {
                Position at = nodes.at(edges.get(cycle.get(0)).get(cycle.get(1)).keyNode());
                throw new StackFileException(at, "dependency cycle: " + String.join(" -> ", cycle)
                        + "; remove one of these depends_on entries");
            }
        }
    }

    /** The first cycle reachable from {@code name}, written a -> b -> a; null when there is none. */
    private static List<String> cycleFrom(String name, Map<String, ServiceDefinition> services, List<String> path) {
        int seen = path.indexOf(name);
        if (seen >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
            cycle.add(name);
            return cycle;
        }
        ServiceDefinition service = services.get(name);
        if (service == null) {
            return null; // temporal
        }
        path.add(name);
        for (String dependency : service.dependsOn().keySet()) {
            List<String> cycle = cycleFrom(dependency, services, path);
            if (cycle != null) {
                return cycle;
            }
        }
        path.removeLast();
        return null;
    }

    private void checkPorts(Map<String, ServiceDefinition> services, Map<String, Entry> portEntries, int temporalPort)
            throws StackFileException {
        Map<Integer, String> taken = new LinkedHashMap<>();
        for (var service : services.values()) {
            if (service.port() == null) {
                continue;
            }
            Position at = nodes.at(portEntries.get(service.name()).value());
            if (service.port() == temporalPort) {
                throw new StackFileException(at, "port " + service.port() + " of service " + service.name()
                        + " is Temporal's; choose another port");
            }
            String owner = taken.putIfAbsent(service.port(), service.name());
            if (owner != null) {
                throw new StackFileException(at, "port " + service.port() + " of service " + service.name()
                        + " is already service " + owner + "'s; give each service its own port");
            }
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof org.snakeyaml.engine.v2.nodes.ScalarNode scalar
                && scalar.getTag().equals(org.snakeyaml.engine.v2.nodes.Tag.NULL);
    }

}
