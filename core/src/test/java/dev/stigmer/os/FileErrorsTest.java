package dev.stigmer.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Real failures of real files, each said with its path and why (a FileSystemException's message is the path alone). */
class FileErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNamedWithWhy() {
        Path missing = dir.resolve("temporal.log");
        Throwable failure = catchThrowable(() -> Files.readString(missing));
        assertThat(failure.getMessage()).isEqualTo(missing.toString());
        assertThat(FileErrors.describe(failure)).isEqualTo(missing + ": no such file or directory");
    }

    @Test
    void aDirectoryThatIsNotEmptyIsNamedWithWhy() throws IOException {
        Path socket = Files.createDirectories(dir.resolve("daemon.sock"));
        Files.writeString(socket.resolve("x"), "");
        assertThat(FileErrors.describe(catchThrowable(() -> Files.delete(socket))))
                .isEqualTo(socket + ": a directory that is not empty");
    }

    @Test
    void theKernelsReasonIsKeptWhenTheJdkHasOne() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain"), "");
        Path under = plain.resolve("logs");
        Throwable failure = catchThrowable(() -> Files.createDirectory(under));
        assertThat(FileErrors.describe(failure)).startsWith(under + ": ").doesNotEndWith(": failed");
    }

    @Test
    void theRootCauseIsDescribedThroughWrappers() {
        Path missing = dir.resolve("gone");
        Throwable failure = catchThrowable(() -> Files.readString(missing));
        UncheckedIOException wrapped = new UncheckedIOException("reading", (IOException) failure);
        assertThat(FileErrors.describe(new IllegalStateException("outer", wrapped))).isEqualTo(missing + ": no such file or directory");
        assertThat(FileErrors.describe(new IOException("plain words"))).isEqualTo("plain words");
        assertThat(FileErrors.describe(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
    }
}
