package dev.stigmer.process;

/** One line of /proc/PID/stat: the fields a supervisor needs. */
public record ProcStat(long pid, char state, long ppid, long pgid, long sid, long startTicks) {

    /** Zombies (Z) and dead entries (X) are gone for every purpose but reaping. */
    public boolean isAlive() {
        return state != 'Z' && state != 'X';
    }

    static ProcStat parse(long pid, String line) {
        // comm (field 2) may hold spaces and parentheses: the fields we want start after the last ')'.
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[19]));
    }
}
