package dev.stigmer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** How many sockets listen on a TCP port (any address), from /proc/net/tcp and tcp6. */
final class Listeners {
    private Listeners() {
    }

    static int count(int port) {
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && "0A".equals(f[3]) && f[1].contains(":")
                            && Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == port) {
                        count++;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // table missing (no IPv6) or header line
            }
        }
        return count;
    }
}
