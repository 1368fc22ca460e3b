package dev.stigmer.stack;

/** What a dependency must have reached before its dependent starts. */
public enum DependencyCondition implements Keyword {
    STARTED, HEALTHY, COMPLETED;

    @Override
    public String toString() {
        return keyword();
    }
}
