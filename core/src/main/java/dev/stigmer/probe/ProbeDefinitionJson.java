package dev.stigmer.probe;

import com.google.gson.Gson;
import com.google.gson.JsonDeserializationContext;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonSerializationContext;
import com.google.gson.JsonSerializer;

import java.lang.reflect.Type;

/**
 * A probe definition in JSON (the control socket, the spec hash): its record's fields after a
 * {@code "kind"} that says which record it is.
 */
public final class ProbeDefinitionJson implements JsonSerializer<ProbeDefinition>, JsonDeserializer<ProbeDefinition> {
    private static final String KIND = "kind";
    private static final Gson FIELDS = new Gson(); // the records' own fields: strings, lists, numbers

    @Override
    public JsonElement serialize(ProbeDefinition probe, Type type, JsonSerializationContext context) {
        JsonObject out = new JsonObject();
        out.addProperty(KIND, probe.kind());
        FIELDS.toJsonTree(probe).getAsJsonObject().entrySet().forEach(e -> out.add(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public ProbeDefinition deserialize(JsonElement json, Type type, JsonDeserializationContext context) {
        JsonObject object = json.getAsJsonObject();
        JsonElement kind = object.get(KIND);
        String name = kind == null ? null : kind.getAsString();
        return ProbeDefinition.KINDS.stream().filter(k -> k.key().equals(name)).findFirst()
                .map(k -> FIELDS.fromJson(object, k.type()))
                .orElseThrow(() -> new JsonParseException("unknown probe kind " + name));
    }
}
