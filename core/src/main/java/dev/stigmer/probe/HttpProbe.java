package dev.stigmer.probe;


import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * GET a URL: healthy on 2xx or 3xx (redirects are not followed: a redirect is an answer). The
 * JDK's HttpURLConnection, not its HttpClient: a probe needs one request, and the client's
 * threads and classes would weigh on a daemon that runs one probe per service.
 */
public final class HttpProbe implements HealthProbe {
    private final URI url;

    public HttpProbe(String url) {
        this.url = URI.create(url);
    }

    @Override
    public OptionalInt port() {
        return url.getPort() > 0 ? OptionalInt.of(url.getPort()) : OptionalInt.empty();
    }

    @Override
    public ProbeResult check(Duration timeout) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
            int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            drain(connection);
            return status >= 200 && status < 400 ? ProbeResult.serving()
                    : ProbeResult.failing("GET " + url + " answered " + status);
        } catch (IOException | RuntimeException e) {
            return ProbeResult.failing("GET " + url + ": " + e.getMessage());
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static void drain(HttpURLConnection connection) {
        try (InputStream body = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream()) {
            if (body != null) {
                body.skip(64 * 1024);
            }
        } catch (IOException ignored) {
            // the status is what counts
        }
    }

    @Override
    public String toString() {
        return "http " + url;
    }
}
