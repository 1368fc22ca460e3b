package dev.stigmer.state;

import com.google.gson.JsonParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    record Sample(String name, long pid, List<String> command) {
    }

    private static final Sample SAMPLE = new Sample("temporal", 4242, List.of("temporal", "server", "start-dev"));

    enum Plain { ALPHA, BETA }

    enum Labelled {
        ON, OFF;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Tagged(Plain plain, Labelled labelled) {
    }

    @TempDir
    Path dir;

    @Test
    void enumsTravelAsTheirToStringAndComeBackFromItOrTheirName() {
        Tagged tagged = new Tagged(Plain.BETA, Labelled.OFF);
        String json = Json.write(tagged);

        assertThat(json).isEqualTo("{\"plain\":\"BETA\",\"labelled\":\"off\"}");
        assertThat(Json.read(json, Tagged.class)).isEqualTo(tagged);
        assertThat(Json.read("{\"plain\":\"beta\",\"labelled\":\"OFF\"}", Tagged.class)).isEqualTo(tagged);
        assertThat(Json.read("{\"plain\":null,\"labelled\":\"on\"}", Tagged.class)).isEqualTo(new Tagged(null, Labelled.ON));
    }

    @Test
    void unknownEnumValueIsAParseErrorAndAFileWithOneReadsAsAbsent() throws Exception {
        assertThatThrownBy(() -> Json.read("{\"plain\":\"GAMMA\"}", Tagged.class))
                .isInstanceOf(JsonParseException.class).hasMessageContaining("GAMMA");
        Path file = dir.resolve("tagged.json");
        Files.writeString(file, "{\"plain\": 42}");
        assertThat(Json.readFile(file, Tagged.class)).isEmpty();
    }

    @Test
    void fileWrittenIsReadBack() throws Exception {
        Path file = dir.resolve("temporal.json");

        Json.writeFile(file, SAMPLE);

        assertThat(Json.readFile(file, Sample.class)).contains(SAMPLE);
    }

    @Test
    void missingFileReadsAsAbsent() {
        assertThat(Json.readFile(dir.resolve("missing.json"), Sample.class)).isEmpty();
    }

    @Test
    void truncatedFileReadsAsAbsent() throws Exception {
        String whole = Json.pretty(SAMPLE);
        Path file = dir.resolve("temporal.json");
        Files.writeString(file, whole.substring(0, whole.length() / 2));

        assertThat(Json.readFile(file, Sample.class)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   \n",
            "null",
            "%%% not json at all",
            "{\"name\": \"temporal\"} and then some",
            "[1, 2, 3]",
            "\"a string\"",
            "42",
            "{\"pid\": \"many\"}",
            "{\"command\": {\"not\": \"a list\"}}"})
    void emptyCorruptOrWrongShapeFileReadsAsAbsent(String content) throws Exception {
        Path file = dir.resolve("temporal.json");
        Files.writeString(file, content);

        assertThat(Json.readFile(file, Sample.class)).isEmpty();
    }

    @Test
    void fileThatIsNotUtf8ReadsAsAbsent() throws Exception {
        Path file = dir.resolve("temporal.json");
        Files.write(file, new byte[]{'{', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '}'});

        assertThat(Json.readFile(file, Sample.class)).isEmpty();
    }

    @Test
    void directoryInPlaceOfTheFileReadsAsAbsent() throws Exception {
        Path file = Files.createDirectory(dir.resolve("temporal.json"));

        assertThat(Json.readFile(file, Sample.class)).isEmpty();
    }
}
