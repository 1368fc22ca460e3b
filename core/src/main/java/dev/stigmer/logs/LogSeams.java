package dev.stigmer.logs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a rotated log's pieces sit in the one byte stream its writers produced, kept beside it
 * in NAME.log.seams: {@code base}, the stream position of the live file's first byte, and for
 * each kept generation NAME.log.N the position of its first byte. A follower holds a stream
 * position and finds its next byte with this, however many rotations happened since it looked.
 * Written only by {@link LogRotation} under the log's exclusive lock; read under a shared one.
 * A log without it (never rotated, or by an older version) has base 0 and no known generations.
 */
record LogSeams(long base, Map<Integer, Long> generationStarts) {
    static Path file(Path log) {
        return log.resolveSibling(log.getFileName() + ".seams");
    }

    static LogSeams read(Path log) {
        Map<Integer, Long> starts = new TreeMap<>();
        long base = 0;
        try {
            for (String line : Files.readAllLines(file(log))) {
                String[] parts = line.split(" ");
                if (parts.length != 2) {
                    continue;
                }
                if (parts[0].equals("base")) {
                    base = Long.parseLong(parts[1]);
                } else {
                    starts.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
                }
            }
        } catch (NoSuchFileException e) {
            return new LogSeams(0, Map.of());
        } catch (IOException | RuntimeException e) {
            return new LogSeams(0, Map.of()); // unreadable: as if never rotated
        }
        return new LogSeams(base, starts);
    }

    void write(Path log) throws IOException {
        StringBuilder text = new StringBuilder("base ").append(base).append('\n');
        generationStarts.forEach((generation, start) -> text.append(generation).append(' ').append(start).append('\n'));
        // Replaced by a rename, so a reader sees the old or the new whole; no fsync: after a crash
        // a stale index only misplaces what a follower prints next, and rotation fixes it.
        Path temp = Files.createTempFile(log.toAbsolutePath().getParent(), "." + file(log).getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, text);
            Files.move(temp, file(log), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** After NAME.N became NAME.N+1 for every N (the oldest dropped past {@code keep}). */
    LogSeams shifted(int keep) {
        Map<Integer, Long> starts = new TreeMap<>();
        generationStarts.forEach((generation, start) -> {
            if (generation + 1 <= keep) {
                starts.put(generation + 1, start);
            }
        });
        return new LogSeams(base, starts);
    }

    /** After the first {@code length} bytes of the live file moved to a new NAME.1 ({@code copied}) or were dropped. */
    LogSeams removedHead(long length, boolean copied) {
        Map<Integer, Long> starts = new TreeMap<>(generationStarts);
        if (copied) {
            starts.put(1, base);
        }
        return new LogSeams(base + length, starts);
    }

    LogSeams without(int generation) {
        Map<Integer, Long> starts = new TreeMap<>(generationStarts);
        starts.remove(generation);
        return new LogSeams(base, starts);
    }
}
