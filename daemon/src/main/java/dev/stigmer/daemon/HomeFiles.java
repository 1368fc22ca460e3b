package dev.stigmer.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** Which file a path names now (device + inode), to notice when a path no longer leads to ours. */
final class HomeFiles {
    private HomeFiles() {
    }

    static Optional<Object> key(Path path) {
        try {
            return Optional.ofNullable(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
