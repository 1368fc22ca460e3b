package dev.stigmer.stackfile;

import dev.stigmer.probe.ProbeFields;
import dev.stigmer.stackfile.Nodes.Entry;
import org.snakeyaml.engine.v2.nodes.Node;

import java.util.List;
import java.util.Map;

/** A probe's mapping, read for its definition: values and errors with their positions in the file. */
record ProbeNode(Nodes nodes, Node node, Map<String, Entry> keys, String what, boolean readiness)
        implements ProbeFields<StackFileException> {

    @Override
    public boolean has(String key) {
        return keys.containsKey(key);
    }

    @Override
    public String string(String key) throws StackFileException {
        return nodes.string(keys.get(key).value(), what + " " + key);
    }

    @Override
    public List<String> command(String key) throws StackFileException {
        return nodes.command(keys.get(key).value(), what + " " + key);
    }

    @Override
    public long millis(String key) throws StackFileException {
        return nodes.millis(keys.get(key).value(), what + " " + key);
    }

    @Override
    public int positive(String key) throws StackFileException {
        return nodes.positive(keys.get(key).value(), what + " " + key);
    }

    @Override
    public StackFileException invalid(String key, String message) {
        return new StackFileException(nodes.at(key == null ? node : keys.get(key).value()), message);
    }

    @Override
    public StackFileException invalidKey(String key, String message) {
        return new StackFileException(nodes.at(keys.get(key).keyNode()), message);
    }
}
