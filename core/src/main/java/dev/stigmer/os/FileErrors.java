package dev.stigmer.os;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * A failure in words for a user's one line. A {@link FileSystemException}'s message is only its
 * path (the JDK keeps the reason in {@link FileSystemException#getReason()}, or for the common
 * errno values only in the class), so "cannot start: /home/u/.stigmer/logs/temporal.log" said
 * where, never why.
 */
public final class FileErrors {
    private FileErrors() {
    }

    /** The root cause: "PATH: permission denied" for a file system failure, else its message (or itself). */
    public static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof FileSystemException e && e.getFile() != null) {
            return e.getFile() + (e.getOtherFile() == null ? "" : " -> " + e.getOtherFile()) + ": " + reason(e);
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /** Why a file operation failed, without the path: "permission denied", "a directory that is not empty". */
    public static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason(); // strerror's text, e.g. "Read-only file system"
        }
        return switch (e) {
            case AccessDeniedException ignored -> "permission denied";
            case NoSuchFileException ignored -> "no such file or directory";
            case DirectoryNotEmptyException ignored -> "a directory that is not empty";
            case FileAlreadyExistsException ignored -> "already exists";
            case NotDirectoryException ignored -> "not a directory";
            case NotLinkException ignored -> "not a symbolic link";
            case FileSystemLoopException ignored -> "a loop of symbolic links";
            default -> "failed";
        };
    }
}
