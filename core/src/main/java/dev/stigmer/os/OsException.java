package dev.stigmer.os;

import java.io.IOException;

/** A system call failed; {@link #errno()} says why. */
public final class OsException extends IOException {
    private final int errno;

    public OsException(String call, int errno) {
        super(call + " failed: errno " + errno);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
