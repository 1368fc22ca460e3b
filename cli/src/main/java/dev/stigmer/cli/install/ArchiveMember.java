package dev.stigmer.cli.install;

import dev.stigmer.state.Installation;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The archive reader, loaded when an install needs it. Apache Commons Compress and its two
 * dependencies are not on the CLI's class path but in lib/cli/installer/ with the one class that
 * uses them: three more jars on the class path cost every CLI call ~10 ms (measured on `stigmer
 * local status`, AOT cache or not: the JVM opens each jar), and only this command needs them.
 * Where everything is on one class path (the cli module's unit tests) the reader is found there.
 */
final class ArchiveMember {
    static final String READER = "dev.stigmer.cli.install.tar.CommonsTarReader";

    private ArchiveMember() {
    }

    /** See {@link ArchiveReader#extract}. */
    static long extract(Path archive, String label, String name, Path target, long maxBytes) throws InstallException {
        return reader().extract(archive, label, name, target, maxBytes);
    }

    private static ArchiveReader reader() throws InstallException {
        ClassLoader own = ArchiveMember.class.getClassLoader();
        try {
            return instantiate(Class.forName(READER, true, own));
        } catch (ClassNotFoundException notOnTheClassPath) {
            Path dir = null;
            try {
                dir = Installation.current().lib("cli").resolve("installer");
                try (Stream<Path> files = Files.list(dir)) {
                    URL[] jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().map(ArchiveMember::url).toArray(URL[]::new);
                    // Never closed: the CLI ends after this command, and the reader's classes are in use until then.
                    URLClassLoader loader = new URLClassLoader("installer", jars, own);
                    return instantiate(Class.forName(READER, true, loader));
                }
            } catch (IOException | ClassNotFoundException | IllegalStateException e) {
                throw new InstallException("stigmer's archive reader is missing" + (dir == null ? "" : " from " + dir)
                        + "; rebuild stigmer (./stigmer does)", e);
            }
        }
    }

    private static ArchiveReader instantiate(Class<?> type) throws InstallException {
        try {
            return (ArchiveReader) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new InstallException("stigmer's archive reader cannot be loaded: " + e, e);
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
