package dev.stigmer.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mark every process we start carries in its environment: STIGMER_HOME and
 * STIGMER_COMPONENT. Children inherit it, so a scan of /proc finds everything a home owns
 * even when every record is lost.
 */
public record Ownership(Path home, String component) {
    public static final String HOME_VARIABLE = "STIGMER_HOME";
    public static final String COMPONENT_VARIABLE = "STIGMER_COMPONENT";

    public Map<String, String> environment() {
        return Map.of(HOME_VARIABLE, home.toString(), COMPONENT_VARIABLE, component);
    }

    /** True when the process with this pid carries this exact mark. */
    public boolean marks(long pid) {
        return ProcFs.environ(pid)
                .map(env -> home.toString().equals(env.get(HOME_VARIABLE))
                        && component.equals(env.get(COMPONENT_VARIABLE)))
                .orElse(false);
    }

    /**
     * Every live process of this home, by component. Both variables must be there: a shell
     * that merely exported STIGMER_HOME is the user's, not ours.
     */
    public static Map<String, List<ProcStat>> scan(Path home) {
        long self = ProcessHandle.current().pid();
        Map<String, List<ProcStat>> owned = new TreeMap<>();
        for (ProcStat stat : ProcFs.all()) {
            if (!stat.isAlive() || stat.pid() == self) {
                continue;
            }
            ProcFs.environ(stat.pid())
                    .filter(env -> home.toString().equals(env.get(HOME_VARIABLE)) && env.get(COMPONENT_VARIABLE) != null)
                    .ifPresent(env -> owned.computeIfAbsent(env.get(COMPONENT_VARIABLE), c -> new ArrayList<>()).add(stat));
        }
        return owned;
    }
}
