package dev.stigmer.stackfile;

import dev.stigmer.config.Durations;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reading of YAML nodes with their positions: each accessor either returns what was asked
 * for or throws a {@link StackFileException} that says where, what was expected and what was found.
 * Scalars have variables substituted before they are interpreted.
 */
final class Nodes {
    private final Path file;
    private final Map<String, String> env;

    Nodes(Path file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    Position at(Node node) {
        return Position.of(file, node);
    }

    /** A key of a mapping, with the node of its value. */
    record Entry(String key, Node keyNode, Node value) {
    }

    /**
     * The entries of a mapping, in file order. Keys must be strings, unique, and among
     * {@code allowed} (null: any key); an unknown key names the closest allowed one.
     */
    Map<String, Entry> mapping(Node node, String what, Collection<String> allowed) throws StackFileException {
        if (!(node instanceof MappingNode mapping)) {
            throw new StackFileException(at(node), what + " must be a mapping (KEY: VALUE lines), got " + describe(node));
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                throw new StackFileException(at(keyNode), "a key in " + what + " must be a plain name, got " + describe(keyNode));
            }
            String key = scalarKey.getValue();
            if (allowed != null && !allowed.contains(key)) {
                throw new StackFileException(at(keyNode), "unknown key '" + key + "' in " + what + "; "
                        + Suggestions.closest(key, allowed).map(s -> "did you mean '" + s + "'?")
                        .orElse("valid keys: " + String.join(", ", allowed)));
            }
            if (entries.containsKey(key)) {
                throw new StackFileException(at(keyNode), "'" + key + "' appears twice in " + what
                        + " (first at line " + at(entries.get(key).keyNode()).line() + "); keep one");
            }
            entries.put(key, new Entry(key, keyNode, tuple.getValueNode()));
        }
        return entries;
    }

    List<Node> sequence(Node node, String what) throws StackFileException {
        if (!(node instanceof SequenceNode sequence)) {
            throw new StackFileException(at(node), what + " must be a list, got " + describe(node));
        }
        return sequence.getValue();
    }

    boolean isSequence(Node node) {
        return node instanceof SequenceNode;
    }

    boolean isMapping(Node node) {
        return node instanceof MappingNode;
    }

    /** A scalar as text, variables substituted. Numbers and booleans are taken as written. */
    String string(Node node, String what) throws StackFileException {
        if (!(node instanceof ScalarNode scalar)) {
            throw new StackFileException(at(node), what + " must be a single value, got " + describe(node));
        }
        if (scalar.getTag().equals(Tag.NULL)) {
            throw new StackFileException(at(node), what + " has no value; give one or remove the key");
        }
        return Interpolation.substitute(scalar.getValue(), env, at(node));
    }

    int port(Node node, String what) throws StackFileException {
        String text = string(node, what);
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new StackFileException(at(node), what + " must be a port number from 1 to 65535, got '" + text + "'");
    }

    int positive(Node node, String what) throws StackFileException {
        String text = string(node, what);
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw new StackFileException(at(node), what + " must be a whole number of at least 1, got '" + text + "'");
    }

    boolean bool(Node node, String what) throws StackFileException {
        String text = string(node, what);
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new StackFileException(at(node), what + " must be true or false, got '" + text + "'");
        };
    }

    long millis(Node node, String what) throws StackFileException {
        String text = string(node, what);
        try {
            return Durations.parse(text).toMillis();
        } catch (IllegalArgumentException e) {
            throw new StackFileException(at(node), what + " " + e.getMessage());
        }
    }

    /**
     * A value as JSON text (for dynamic config): a number or true/false as written, any other
     * scalar as a JSON string, a list or mapping as JSON; variables substituted in scalars.
     */
    String json(Node node, String what) throws StackFileException {
        if (node instanceof ScalarNode scalar) {
            if (scalar.getTag().equals(Tag.NULL)) {
                return "null";
            }
            String text = string(node, what);
            boolean literal = scalar.isPlain() && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT)
                    || scalar.getTag().equals(Tag.BOOL));
            return literal ? text : new com.google.gson.Gson().toJson(text);
        }
        StringBuilder json = new StringBuilder();
        if (node instanceof SequenceNode sequence) {
            json.append('[');
            for (int i = 0; i < sequence.getValue().size(); i++) {
                json.append(i == 0 ? "" : ",").append(json(sequence.getValue().get(i), what));
            }
            return json.append(']').toString();
        }
        json.append('{');
        boolean first = true;
        for (Entry entry : mapping(node, what, null).values()) {
            json.append(first ? "" : ",").append(new com.google.gson.Gson().toJson(entry.key())).append(':')
                    .append(json(entry.value(), what));
            first = false;
        }
        return json.append('}').toString();
    }

    /** A command: a string runs through /bin/sh -c, a list is exec'd as is. Never empty. */
    List<String> command(Node node, String what) throws StackFileException {
        List<String> argv = new ArrayList<>();
        if (isSequence(node)) {
            for (Node part : sequence(node, what)) {
                argv.add(string(part, "each part of " + what));
            }
            if (argv.isEmpty() || argv.getFirst().isBlank()) {
                throw new StackFileException(at(node), what + " is empty; give a string (run by /bin/sh -c) "
                        + "or a list whose first item is the program");
            }
            return argv;
        }
        String line = string(node, what);
        if (line.isBlank()) {
            throw new StackFileException(at(node), what + " is empty; give a string (run by /bin/sh -c) "
                    + "or a list whose first item is the program");
        }
        return List.of("/bin/sh", "-c", line);
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode scalar) {
            return scalar.getTag().equals(Tag.NULL) ? "nothing" : "'" + scalar.getValue() + "'";
        }
        return "something else";
    }
}
