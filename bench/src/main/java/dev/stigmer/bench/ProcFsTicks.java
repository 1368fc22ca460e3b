package dev.stigmer.bench;

import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcStat;

/** The start time of a process (clock ticks since boot), or -1 when it is gone. */
final class ProcFsTicks {
    private ProcFsTicks() {
    }

    static long of(long pid) {
        return ProcFs.stat(pid).map(ProcStat::startTicks).orElse(-1L);
    }
}
