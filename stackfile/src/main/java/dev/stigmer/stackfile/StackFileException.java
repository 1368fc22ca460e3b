package dev.stigmer.stackfile;

/**
 * The stack file cannot be used: one line, {@code FILE:LINE:COLUMN: what is wrong; what to do}.
 * Nothing has been changed when it is thrown.
 */
public final class StackFileException extends Exception {
    private final Position position;

    public StackFileException(Position position, String message) {
        super(position + ": " + message, null, false, false);
        this.position = position;
    }

    public Position position() {
        return position;
    }
}
