package dev.stigmer.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Who listens on a TCP port, from /proc/net/tcp{,6} and the socket links in /proc/PID/fd. */
public final class PortOwner {
    private static final String LISTEN = "0A";

    private PortOwner() {
    }

    /** Whose socket listens on a port, as far as one component is concerned. */
    public enum Listener {
        /** A process of the component's tree. */
        OURS,
        /** Somebody listens, but no process of the component's tree holds that socket. */
        FOREIGN,
        NOBODY,
        /** /proc/net/tcp cannot be read here: nobody can be told apart. */
        UNKNOWN
    }

    /**
     * True when nothing stops us from listening on {@code address} right now. For a loopback
     * address, a listener on the other family's loopback (127.0.0.1 against [::1]) counts as
     * taken too: a service told to use `localhost:P` may bind either, and fails on that holder.
     */
    public static boolean isFree(InetSocketAddress address) {
        return isFree(address.getAddress(), address.getPort())
                && !(address.getAddress().isLoopbackAddress() && listensOnLoopback(address.getPort()));
    }

    /** Whether any socket listens on {@code port} at a loopback address, IPv4 or IPv6 (from /proc). */
    static boolean listensOnLoopback(int port) {
        return listeners(port).orElse(List.of()).stream().anyMatch(ListeningSocket::loopback);
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

    /**
     * Whether the socket listening on {@code port} belongs to {@code root} or one of its
     * descendants. Cheap: the port's listening inodes from /proc/net/tcp{,6}, then only the
     * descriptors of that tree, not all of /proc.
     */
    public static Listener whoListens(int port, long root) {
        Optional<Set<Long>> inodes = listeningInodesIfReadable(port);
        if (inodes.isEmpty()) {
            return Listener.UNKNOWN;
        }
        if (inodes.get().isEmpty()) {
            return Listener.NOBODY;
        }
        Deque<Long> tree = new ArrayDeque<>(List.of(root));
        Set<Long> seen = new HashSet<>();
        while (!tree.isEmpty()) {
            long pid = tree.pop();
            if (seen.add(pid)) {
                if (ProcFs.socketInodes(pid).stream().anyMatch(inodes.get()::contains)) {
                    return Listener.OURS;
                }
                tree.addAll(ProcFs.children(pid));
            }
        }
        return Listener.FOREIGN;
    }

    /** How many sockets listen on {@code port} now, on any address. */
    public static int listenerCount(int port) {
        return listeningInodes(port).size();
    }

    private static Set<Long> listeningInodes(int port) {
        return listeningInodesIfReadable(port).orElse(Set.of());
    }

    /** Empty when neither table can be read (no IPv6 is fine: tcp6 is then simply absent). */
    private static Optional<Set<Long>> listeningInodesIfReadable(int port) {
        return listeners(port).map(found -> {
            Set<Long> inodes = new HashSet<>();
            found.forEach(listener -> inodes.add(listener.inode()));
            return inodes;
        });
    }

    /** A listening socket on the port, from /proc/net/tcp{,6}. */
    private record ListeningSocket(boolean loopback, long inode) {
    }

    /** Every socket listening on {@code port}; empty when neither table can be read. */
    private static Optional<List<ListeningSocket>> listeners(int port) {
        List<ListeningSocket> found = new java.util.ArrayList<>();
        boolean read = false;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
                read = true;
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !LISTEN.equals(f[3])) {
                    continue;
                }
                String local = f[1];
                String host = local.substring(0, local.indexOf(':'));
                int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                if (localPort != port) {
                    continue;
                }
                // 127.x.x.x is stored little-endian ("..7F"); ::1 as four little-endian words.
                boolean loopback = host.length() == 8 ? host.endsWith("7F")
                        : host.equals("00000000000000000000000001000000") || host.equals("0000000000000000FFFF00000100007F");
                found.add(new ListeningSocket(loopback, Long.parseLong(f[9])));
            }
        }
        return read ? Optional.of(found) : Optional.empty();
    }
}
