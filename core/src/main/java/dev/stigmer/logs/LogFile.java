package dev.stigmer.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A log file a process appends to (through a ProcessBuilder redirect, which follows links and
 * creates files by the umask): made here first, 0600, with O_NOFOLLOW, so output never goes
 * through a symbolic link planted at the log's path.
 */
public final class LogFile {
    private LogFile() {
    }

    /**
     * Creates {@code log} (0600) if missing; an existing regular file is kept as it is.
     *
     * @return {@code log}
     * @throws IOException with one line for the user when it is a symbolic link or not a regular file
     */
    public static Path prepare(Path log) throws IOException {
        open(log).close();
        return log;
    }

    /**
     * Appends {@code text} (UTF-8) to {@code log}, created 0600 if missing; for logs we write
     * ourselves, such as the CLI's.
     *
     * @throws IOException as {@link #prepare(Path)}, or when the write fails
     */
    public static void append(Path log, String text) throws IOException {
        try (FileChannel channel = open(log)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
    }

    private static FileChannel open(Path log) throws IOException {
        refuseAnythingButARegularFile(log);
        try {
            return FileChannel.open(log,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileSystemException e) {
            refuseAnythingButARegularFile(log); // a link that appeared since: say so plainly (ELOOP)
            throw e;
        }
    }

    private static void refuseAnythingButARegularFile(Path log) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(log, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (attributes.isSymbolicLink()) {
            throw new IOException("log file " + log + " is a symbolic link; stigmer writes logs only to"
                    + " regular files: remove the link");
        }
        if (!attributes.isRegularFile()) {
            throw new IOException("log file " + log + " is not a regular file: remove it");
        }
    }
}
