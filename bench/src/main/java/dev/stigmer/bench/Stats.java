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

    /**
     * The upper tail, named for what it is: with fewer than 20 samples a "p95" is only the
     * largest one (or an interpolation towards it), so it is called max.
     */
    String tail(String format) {
        return samples.size() >= 20
                ? "p95 " + String.format(java.util.Locale.ROOT, format, p95())
                : "max " + String.format(java.util.Locale.ROOT, format, max());
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
