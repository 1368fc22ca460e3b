package dev.stigmer.stackfile;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

import java.nio.file.Path;

/** A place in a file, 1-based, printed as editors and compilers do: {@code FILE:LINE:COLUMN}. */
public record Position(Path file, int line, int column) {

    static Position of(Path file, Node node) {
        return node.getStartMark().map(mark -> of(file, mark)).orElse(new Position(file, 1, 1));
    }

    static Position of(Path file, Mark mark) {
        return new Position(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** The same line, {@code offset} characters to the right. */
    Position plus(int offset) {
        return new Position(file, line, column + offset);
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
