package dev.stigmer.cli.install.tar;

import dev.stigmer.cli.install.ArchiveReader;
import dev.stigmer.cli.install.InstallException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * One regular file taken out of a .tar.gz by its name at the archive's top level. Nothing else in
 * the archive is written anywhere, so its paths (`../`, absolute, links) cannot reach the disk.
 * The tar format is read by Apache Commons Compress (ustar, GNU and PAX headers, as Go's
 * archive/tar writes them for upstream's releases); the gzip layer by the JDK. This class and
 * Commons Compress live in lib/cli/installer/, off the CLI's class path (see ArchiveMember).
 */
public final class CommonsTarReader implements ArchiveReader {

    @Override
    public long extract(Path archive, String label, String name, Path target, long maxBytes) throws InstallException {
        long size = -1;
        try (InputStream file = Files.newInputStream(archive);
             GZIPInputStream gzip = new GZIPInputStream(new BufferedInputStream(file, 65536), 65536);
             TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.getName().equals(name) && !entry.getName().equals("./" + name)) {
                    continue;
                }
                if (size >= 0) {
                    throw new InstallException(label + " has `" + name + "` twice; refusing to install either");
                }
                if (!entry.isFile() || entry.isLink() || entry.isSymbolicLink()) {
                    throw new InstallException(label + " has `" + name + "`, but not as a regular file; refusing to install it");
                }
                if (entry.getSize() > maxBytes) {
                    throw new InstallException(label + " has a `" + name + "` of " + entry.getSize() + " bytes, more than the "
                            + maxBytes + " expected; refusing to install it");
                }
                size = copy(tar, entry.getSize(), target, label);
            }
            // To the end, so gzip checks its trailer (CRC-32 and length): an archive cut or damaged
            // after the member still counts as corrupt.
            gzip.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | IllegalArgumentException e) {
            // Not gzip, a bad header, a checksum error in a tar header or in gzip's trailer, a truncated stream.
            throw new InstallException(label + " is not a valid tar.gz archive (" + InstallException.describe(e) + "); nothing was installed", e);
        }
        if (size < 0) {
            throw new InstallException(label + " has no `" + name + "` in it; nothing was installed");
        }
        return size;
    }

    /** Copies the member; a read error is the archive's (IOException), a write error the disk's (InstallException). */
    private static long copy(InputStream from, long size, Path target, String label) throws IOException, InstallException {
        long copied = 0;
        byte[] buffer = new byte[65536];
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            int n;
            while ((n = from.read(buffer)) > 0) {
                write(channel, buffer, n, target);
                copied += n;
            }
            try {
                channel.force(true);
            } catch (IOException e) {
                throw cannotWrite(target, e);
            }
        }
        if (copied != size) {
            throw new InstallException(label + " ends inside its `temporal` (" + copied + " of " + size + " bytes); nothing was installed");
        }
        return copied;
    }

    private static void write(FileChannel channel, byte[] bytes, int length, Path target) throws InstallException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
    }

    private static InstallException cannotWrite(Path target, IOException e) {
        return new InstallException("cannot write " + target.getParent() + ": " + InstallException.describe(e) + "; nothing was installed", e);
    }
}
