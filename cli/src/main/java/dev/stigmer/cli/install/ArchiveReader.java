package dev.stigmer.cli.install;

import java.nio.file.Path;

/** Takes one file out of a release archive. */
public interface ArchiveReader {
    /**
     * Writes the regular file {@code name} (or {@code ./name}) at the top of the .tar.gz
     * {@code archive} to {@code target} (an existing file, truncated), synced to disk. The whole
     * archive is read, so a damaged end counts too.
     *
     * @param label how to call the archive in messages
     * @return the file's size in bytes
     */
    long extract(Path archive, String label, String name, Path target, long maxBytes) throws InstallException;
}
