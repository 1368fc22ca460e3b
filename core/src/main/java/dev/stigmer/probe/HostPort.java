package dev.stigmer.probe;

import java.util.Optional;

/** HOST:PORT as a probe's target; "8080" alone means 127.0.0.1:8080. */
record HostPort(String host, int port) {

    static Optional<HostPort> parse(String text) {
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : trimmed.substring(0, colon);
        try {
            int port = Integer.parseInt(colon < 0 ? trimmed : trimmed.substring(colon + 1));
            return !host.isEmpty() && port >= 1 && port <= 65535 ? Optional.of(new HostPort(host, port)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The target of {@code key}, written HOST:PORT; an error there when it is not one. */
    static <E extends Exception> String read(ProbeFields<E> fields, String key) throws E {
        String text = fields.string(key);
        return parse(text).map(HostPort::toString).orElseThrow(() -> fields.invalid(key,
                fields.what() + " " + key + " must be PORT or HOST:PORT, got '" + text.trim() + "'"));
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
