package dev.stigmer.process;

import java.util.Optional;

/**
 * Who a process is, in a way that survives pid reuse: pid + start time (clock ticks since boot)
 * + boot id. The command line is kept for a sanity check and for messages.
 */
public record ProcessIdentity(long pid, long startTicks, String bootId, String commandLine) {

    /** The identity of the live process with this pid, if there is one (zombies do not count). */
    public static Optional<ProcessIdentity> of(long pid) {
        return ProcFs.stat(pid).filter(ProcStat::isAlive).map(stat -> new ProcessIdentity(
                pid, stat.startTicks(), ProcFs.bootId(), ProcFs.commandLine(pid).orElse("")));
    }

    /** True when the process that now has this pid is the one this identity was taken of. */
    public boolean isAlive() {
        return ProcFs.stat(pid).filter(ProcStat::isAlive).map(this::matches).orElse(false);
    }

    /** Same pid, same start time, same boot: the same process, whatever it has exec'd since. */
    public boolean matches(ProcStat live) {
        return live.pid() == pid && live.startTicks() == startTicks && ProcFs.bootId().equals(bootId);
    }

    /** The identity with the command line read again (after exec, the recorded one may be a launcher's). */
    public ProcessIdentity refreshed() {
        return ProcFs.commandLine(pid).filter(cmd -> !cmd.isEmpty() && isAlive())
                .map(cmd -> new ProcessIdentity(pid, startTicks, bootId, cmd)).orElse(this);
    }

    /** "pid N (command line)", on one line: control characters in the command line are shown escaped. */
    public String describe() {
        String oneLine = oneLine(commandLine);
        String cmd = oneLine.length() > 100 ? oneLine.substring(0, 97) + "..." : oneLine;
        return "pid " + pid + (cmd.isEmpty() ? "" : " (" + cmd + ")");
    }

    private static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\x%02x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
