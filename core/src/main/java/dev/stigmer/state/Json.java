package dev.stigmer.state;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonDeserializationContext;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSerializationContext;
import com.google.gson.JsonSerializer;
import dev.stigmer.probe.ProbeDefinition;
import dev.stigmer.probe.ProbeDefinitionJson;

import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** JSON for state files and the control protocol. A file that does not parse is treated as absent. */
public final class Json {
    private static final Gson GSON = builder().create();
    private static final Gson PRETTY = builder().setPrettyPrinting().create();

    private Json() {
    }

    public static String write(Object value) {
        return GSON.toJson(value);
    }

    public static String pretty(Object value) {
        return PRETTY.toJson(value);
    }

    /** Parses {@code text}; throws JsonParseException (unchecked) when it is not a {@code type}. */
    public static <T> T read(String text, Class<T> type) {
        T value = GSON.fromJson(text, type);
        if (value == null) {
            throw new JsonParseException("empty document");
        }
        return value;
    }

    /** The record in {@code file}; empty when missing, truncated, corrupt or of the wrong shape. */
    public static <T> Optional<T> readFile(Path file, Class<T> type) {
        try {
            return Optional.of(read(Files.readString(file), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            System.getLogger(Json.class.getName()).log(System.Logger.Level.WARNING,
                    "ignoring unreadable state file " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    public static void writeFile(Path file, Object value) throws IOException {
        AtomicFile.write(file, pretty(value) + "\n");
    }

    private static GsonBuilder builder() {
        return new GsonBuilder().serializeNulls().disableHtmlEscaping()
                .registerTypeHierarchyAdapter(Enum.class, new EnumAdapter())
                .registerTypeHierarchyAdapter(ProbeDefinition.class, new ProbeDefinitionJson());
    }

    /**
     * An enum constant is written as its {@code toString()} and read back from that (or from its
     * name, in any case). Gson's own enum adapter reads {@code @SerializedName} from every
     * constant, and that annotation's proxy class is generated at run time: ~15 ms of every CLI
     * call, which the AOT cache cannot keep.
     */
    private static final class EnumAdapter implements JsonSerializer<Enum<?>>, JsonDeserializer<Enum<?>> {
        @Override
        public JsonElement serialize(Enum<?> value, Type type, JsonSerializationContext context) {
            return new JsonPrimitive(value.toString());
        }

        @Override
        public Enum<?> deserialize(JsonElement json, Type type, JsonDeserializationContext context) {
            String text = json.getAsString();
            Class<?> raw = type instanceof Class<?> c ? c : Object.class;
            Object[] constants = raw.isEnum() ? raw.getEnumConstants() : raw.getSuperclass().getEnumConstants();
            for (Object constant : constants) {
                Enum<?> value = (Enum<?>) constant;
                if (value.toString().equals(text) || value.name().equalsIgnoreCase(text)) {
                    return value;
                }
            }
            throw new JsonParseException("unknown value " + text + " for " + raw.getSimpleName());
        }
    }
}
