package dev.stigmer.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Samples in milliseconds (or any unit), with the order statistics a table needs. */
final class Stats {
    private final List<Double> samples = new ArrayList<>();

    void add(double value) {
        samples.add(value);
    }

    int count() {
        return samples.size();
    }

    double median() {
        return quantile(0.5);
    }

    double p95() {
        return quantile(0.95);
    }

    double max() {
        return samples.isEmpty() ? Double.NaN : Collections.max(samples);
    }

    double quantile(double q) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        double index = q * (sorted.size() - 1);
        int low = (int) Math.floor(index);
        int high = (int) Math.ceil(index);
        return sorted.get(low) + (sorted.get(high) - sorted.get(low)) * (index - low);
    }
}
