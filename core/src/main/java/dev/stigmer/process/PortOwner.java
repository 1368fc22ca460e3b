package dev.stigmer.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Who listens on a TCP port, from /proc/net/tcp{,6} and the socket links in /proc/PID/fd. */
public final class PortOwner {
    private static final String LISTEN = "0A";

    private PortOwner() {
    }

    /** True when nothing stops us from listening on {@code address:port} right now. */
    public static boolean isFree(InetAddress address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first live process found listening on {@code port} (any address), if we may see it. */
    public static Optional<ProcessIdentity> listenerOf(int port) {
        Set<Long> inodes = listeningInodes(port);
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        for (ProcStat stat : ProcFs.all()) {
            if (stat.isAlive() && ProcFs.socketInodes(stat.pid()).stream().anyMatch(inodes::contains)) {
                return ProcessIdentity.of(stat.pid());
            }
        }
        return Optional.empty();
    }

    /** How many sockets listen on {@code port} now, on any address. */
    public static int listenerCount(int port) {
        return listeningInodes(port).size();
    }

    private static Set<Long> listeningInodes(int port) {
        Set<Long> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !LISTEN.equals(f[3])) {
                    continue;
                }
                String local = f[1];
                int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                if (localPort == port) {
                    inodes.add(Long.parseLong(f[9]));
                }
            }
        }
        return inodes;
    }
}
