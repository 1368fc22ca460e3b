package dev.stigmer.probe;


import java.net.URI;
import java.util.Map;

/** {@code http: URL}: a GET answered 2xx or 3xx. */
public record HttpProbeDefinition(String url, ProbeTiming timing) implements ProbeDefinition {
    static final String KIND = "http";

    static <E extends Exception> HttpProbeDefinition parse(ProbeFields<E> fields, ProbeTiming timing) throws E {
        String url = fields.string(KIND);
        if (!isHttpUrl(url)) {
            throw fields.invalid(KIND, fields.what() + " http must be a URL like http://127.0.0.1:8080/health, got '" + url + "'");
        }
        return new HttpProbeDefinition(url, timing);
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of(KIND, url);
    }

    @Override
    public HealthProbe build(ProbeContext context) {
        return new HttpProbe(url);
    }
}
