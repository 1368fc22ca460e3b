package dev.stigmer.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class LogTailTest {
    @TempDir
    Path dir;

    @Test
    void returnsTheLastLinesInOrder() throws Exception {
        Path log = write(IntStream.range(0, 1000).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()));

        assertThat(LogTail.lastLines(log, 3)).containsExactly("line 997", "line 998", "line 999");
    }

    @Test
    void lastLineWithoutNewlineCounts() throws Exception {
        Path log = write("a\nb\nc");

        assertThat(LogTail.lastLines(log, 2)).containsExactly("b", "c");
    }

    @Test
    void askingForMoreLinesThanTheFileHasReturnsThemAll() throws Exception {
        Path log = write("a\n\nb\r\n");

        assertThat(LogTail.lastLines(log, 50)).containsExactly("a", "", "b");
    }

    @Test
    void missingOrEmptyFileOrZeroLinesGiveNothing() throws Exception {
        assertThat(LogTail.lastLines(dir.resolve("missing.log"), 5)).isEmpty();
        assertThat(LogTail.lastLines(write(""), 5)).isEmpty();
        assertThat(LogTail.lastLines(write("a\n"), 0)).isEmpty();
    }

    /** The first read covers only the file's end; long lines make it read further back. */
    @Test
    void readsFurtherBackWhenTheLastLinesAreLong() throws Exception {
        String longLine = "é".repeat(3000); // two bytes each: a chunk boundary can split one
        Path log = write(IntStream.range(0, 20).mapToObj(i -> i + longLine + "\n").collect(Collectors.joining()));

        assertThat(LogTail.lastLines(log, 4)).containsExactly("16" + longLine, "17" + longLine,
                "18" + longLine, "19" + longLine);
    }

    /**
     * A file past 2 GiB without a newline (sparse: cheap on disk) once made the read window
     * overflow an int; the tail of a line that long is its last {@link LogTail#MAX_LINE_CHARS}.
     */
    @Test
    void aLineLongerThanTwoGibibytesGivesItsEnd() throws Exception {
        Path log = dir.resolve("huge.log");
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "rw")) {
            file.setLength(3L << 30);
            file.seek(file.length());
            file.write("the end".getBytes(StandardCharsets.UTF_8));
        }

        List<String> lines = LogTail.lastLines(log, 3);

        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).endsWith("\0the end").hasSizeLessThanOrEqualTo(LogTail.MAX_LINE_CHARS + 1);
    }

    @Test
    void aVeryLongLineIsCutToItsEndAndTheLinesAfterItAreWhole() throws Exception {
        String huge = "x".repeat(LogTail.MAX_LINE_CHARS * 3) + "tail of the huge line";
        Path log = write("first\n" + huge + "\nshort 1\nshort 2\n");

        List<String> lines = LogTail.lastLines(log, 3);

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).endsWith("tail of the huge line").hasSizeLessThanOrEqualTo(LogTail.MAX_LINE_CHARS + 1);
        assertThat(lines.subList(1, 3)).containsExactly("short 1", "short 2");
    }

    /**
     * A real rotation (ext4: the head moved out, block-aligned) cuts a line at the seam. Asking
     * for more lines than the live file holds gives them whole and in order: the cut line and
     * those before it from NAME.1, never the live file's first fragment alone.
     */
    @Test
    void linesTheLiveFileLacksComeWholeFromTheNewestRotatedFile() throws Exception {
        Path log = rotatedLog();
        int live = lineCount(Files.readString(log));

        List<String> lines = LogTail.lastLines(log, live + 50);

        assertThat(lines).hasSize(live + 50);
        assertThat(lines).isEqualTo(expectedLast(live + 50));
    }

    /** Without NAME.1 the live file's first line, cut by the rotation, is left out rather than shown as a fragment. */
    @Test
    void aLiveFileThatBeginsInsideALineNeverGivesThatFragment() throws Exception {
        Path log = rotatedLog();
        Files.delete(LogRotation.rotated(log, 1));
        String text = Files.readString(log);
        assertThat(text).as("the rotation cut a line (else this proves nothing)").doesNotStartWith("line ");

        List<String> lines = LogTail.lastLines(log, 100_000);

        assertThat(lines).isEqualTo(expectedLast(lineCount(text) - 1));
    }

    private static final int ROTATED_LINES = 5000;

    /** "line 00000" .. "line 04999" (11 bytes each: no 4 K block ends at a line's end) rotated with a 16 K bound. */
    private Path rotatedLog() throws Exception {
        Path log = write(IntStream.range(0, ROTATED_LINES).mapToObj(i -> String.format("line %05d%n", i)).collect(Collectors.joining()));
        assertThat(new LogRotation(16 * 1024, 3).rotateIfNeeded(log).rotated()).isTrue();
        assertThat(LogRotation.rotated(log, 1)).exists();
        return log;
    }

    private static List<String> expectedLast(int count) {
        return IntStream.range(ROTATED_LINES - count, ROTATED_LINES).mapToObj(i -> String.format("line %05d", i)).toList();
    }

    private static int lineCount(String text) {
        return (int) text.chars().filter(c -> c == '\n').count();
    }

    private Path write(String content) throws Exception {
        return Files.writeString(dir.resolve("component.log"), content);
    }
}
