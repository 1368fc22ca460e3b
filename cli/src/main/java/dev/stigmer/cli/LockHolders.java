package dev.stigmer.cli;

import dev.stigmer.process.ProcFs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who holds a flock on a file, from /proc/locks (one line per lock: "1: FLOCK ADVISORY WRITE
 * PID MAJ:MIN:INODE 0 EOF"; waiters are marked "->"). Lets `stop` tell a suspended holder of
 * start.lock, which will never let go, from one that is busy.
 */
final class LockHolders {
    private LockHolders() {
    }

    static List<Long> of(Path file) {
        List<Long> holders = new ArrayList<>();
        try {
            long inode = (Long) Files.getAttribute(file, "unix:ino");
            long dev = (Long) Files.getAttribute(file, "unix:dev");
            String device = String.format("%02x:%02x:%d", major(dev), minor(dev), inode);
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && f[1].equals("FLOCK") && f[5].equals(device)) {
                    holders.add(Long.parseLong(f[4]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown holders: the caller waits its bounded time instead
        }
        return holders;
    }

    /** Stopped by a signal (T: SIGSTOP, Ctrl-Z) or a tracer (t): it will not release anything. */
    static boolean isStopped(long pid) {
        return ProcFs.stat(pid).map(stat -> stat.state() == 'T' || stat.state() == 't').orElse(false);
    }

    // glibc's encoding of st_dev (gnu_dev_major/minor).
    private static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    }

    private static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    }
}
