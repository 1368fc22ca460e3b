package dev.stigmer.process;

/** How a process ended. {@code code} is null when it was not our child (adopted): nobody told us. */
public record ExitStatus(Integer code) {
    public static final ExitStatus UNKNOWN = new ExitStatus(null);

    public String describe() {
        if (code == null) {
            return "exited (status unknown: adopted process)";
        }
        if (code > 128 && code < 128 + 65) {
            return "killed by signal " + (code - 128);
        }
        return "exited with code " + code;
    }
}
