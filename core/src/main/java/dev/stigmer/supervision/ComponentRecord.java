package dev.stigmer.supervision;

import dev.stigmer.process.ProcessIdentity;

import java.util.List;

/**
 * What run/NAME.json says about the component's leader process. Only a hint: it is acted on only
 * when the live process at that pid has the same start time, boot id and ownership mark.
 */
public record ComponentRecord(String name, long pid, long startTicks, String bootId, String commandLine,
                              List<String> command, long startedAtMillis) {

    public static ComponentRecord of(String name, ProcessIdentity identity, List<String> command, long startedAtMillis) {
        return new ComponentRecord(name, identity.pid(), identity.startTicks(), identity.bootId(),
                identity.commandLine(), command, startedAtMillis);
    }

    /** A record that parsed but lacks what an identity needs is as good as none. */
    public boolean isComplete() {
        return name != null && pid > 0 && startTicks > 0 && bootId != null && command != null;
    }

    public ProcessIdentity identity() {
        return new ProcessIdentity(pid, startTicks, bootId, commandLine == null ? "" : commandLine);
    }
}
