package dev.stigmer.stack;

/**
 * One {@code depends_on} edge.
 *
 * @param restart restart the dependent after the dependency was replaced or restarted and is
 *                healthy again
 */
public record DependencyDefinition(DependencyCondition condition, boolean restart) {
}
