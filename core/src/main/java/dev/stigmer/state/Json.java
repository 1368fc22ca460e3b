package dev.stigmer.state;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** JSON for state files and the control protocol. A file that does not parse is treated as absent. */
public final class Json {
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final Gson PRETTY = new GsonBuilder().serializeNulls().disableHtmlEscaping()
            .setPrettyPrinting().create();

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
}
