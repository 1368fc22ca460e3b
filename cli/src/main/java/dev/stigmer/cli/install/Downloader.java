package dev.stigmer.cli.install;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * HTTP GETs with the JDK's client, bounded in every way a download can go wrong: a connect
 * timeout, a stall timeout (nothing received for that long, before or during the body), a size
 * limit, and a length check (a body shorter than its Content-Length is an error, not a file).
 * Redirects are followed (release downloads redirect to a CDN), never from https to http.
 * Every failure is an {@link InstallException} with one line saying what happened.
 */
final class Downloader implements AutoCloseable {
    private final HttpClient client;
    private final Duration connectTimeout;
    private final Duration stallTimeout;
    private final String userAgent;

    Downloader(Duration connectTimeout, Duration stallTimeout, String userAgent) {
        this.connectTimeout = connectTimeout;
        this.stallTimeout = stallTimeout;
        this.userAgent = userAgent;
        // HTTP/1.1: one large file gains nothing from HTTP/2, and a plain-http mirror is not sent an h2c upgrade.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(connectTimeout).build();
    }

    /** A small text file (checksums.txt), at most {@code maxBytes}; {@code notFound} is said after a 404. */
    String text(URI uri, long maxBytes, String notFound) throws InstallException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        get(uri, maxBytes, body, null, notFound);
        return body.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the body of {@code uri} to {@code sink}; at most {@code maxBytes}.
     *
     * @param progress told of the length and of every chunk; null: nothing shown
     * @param notFound what a 404 means, said after it
     * @return the number of bytes received
     */
    long get(URI uri, long maxBytes, OutputStream sink, DownloadProgress progress, String notFound) throws InstallException {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().header("User-Agent", userAgent)
                // Until the response's headers: the connect, then as long as a stall may last.
                .timeout(connectTimeout.plus(stallTimeout)).build();
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = send(request);
        int status = response.statusCode();
        BodyQueue body = new BodyQueue();
        response.body().subscribe(body);
        if (status != 200) {
            body.cancel();
            throw new InstallException(status == 404 ? "not found (HTTP 404): " + uri + "; " + notFound
                    : "HTTP " + status + " from " + response.uri() + " (for " + uri + ")");
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length > maxBytes) {
            body.cancel();
            throw new InstallException(uri + " is " + length + " bytes, more than the " + maxBytes + " expected; refusing it");
        }
        if (progress != null) {
            progress.started(uri.toString(), length);
        }
        long received = 0;
        try {
            while (true) {
                List<ByteBuffer> chunk = body.next(stallTimeout);
                if (chunk == null) {
                    break;
                }
                for (ByteBuffer buffer : chunk) {
                    int n = buffer.remaining();
                    received += n;
                    if (received > maxBytes) {
                        body.cancel();
                        throw new InstallException(uri + " sent more than the " + maxBytes + " bytes expected; refusing it");
                    }
                    sink.write(bytes(buffer));
                }
                if (progress != null) {
                    progress.advanced(received);
                }
            }
        } catch (Stalled e) {
            abandon(progress);
            throw new InstallException("the download of " + uri + " stalled: nothing received for "
                    + seconds(stallTimeout) + " after " + received + " bytes (STIGMER_DOWNLOAD_STALL_TIMEOUT); try again");
        } catch (IOException e) {
            abandon(progress);
            if (length >= 0 && received < length) {
                throw new InstallException("the download of " + uri + " was cut off after " + received + " of " + length
                        + " bytes; try again", e);
            }
            throw new InstallException("the download of " + uri + " failed after " + received + " bytes: " + InstallException.describe(e), e);
        } catch (InstallException e) {
            abandon(progress);
            throw e;
        }
        if (length >= 0 && received != length) {
            abandon(progress);
            throw new InstallException("the download of " + uri + " was cut off after " + received + " of " + length
                    + " bytes; try again");
        }
        if (progress != null) {
            progress.finished(received);
        }
        return received;
    }

    private HttpResponse<Flow.Publisher<List<ByteBuffer>>> send(HttpRequest request) throws InstallException {
        URI uri = request.uri();
        String host = uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofPublisher());
        } catch (HttpConnectTimeoutException e) {
            throw new InstallException("no connection to " + host + " within " + seconds(connectTimeout)
                    + " (STIGMER_DOWNLOAD_CONNECT_TIMEOUT): offline? Check the network, or set STIGMER_TEMPORAL_DOWNLOAD_URL to a mirror", e);
        } catch (HttpTimeoutException e) {
            throw new InstallException(host + " did not answer the request for " + uri + " within "
                    + seconds(stallTimeout) + " (STIGMER_DOWNLOAD_STALL_TIMEOUT); try again, or set STIGMER_TEMPORAL_DOWNLOAD_URL to a mirror", e);
        } catch (ConnectException e) {
            throw new InstallException("cannot connect to " + host + " (" + InstallException.describe(e) + "): offline? Check the network, "
                    + "or set STIGMER_TEMPORAL_DOWNLOAD_URL to a mirror", e);
        } catch (IOException e) {
            throw new InstallException("the request for " + uri + " failed: " + InstallException.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted while downloading " + uri, e);
        } catch (IllegalArgumentException e) {
            throw new InstallException("cannot download " + uri + ": " + e.getMessage(), e);
        }
    }

    private static void abandon(DownloadProgress progress) {
        if (progress != null) {
            progress.abandoned();
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    /** No data for the stall timeout. */
    private static final class Stalled extends Exception {
        Stalled() {
            super(null, null, false, false);
        }
    }

    /**
     * The body as a queue the caller polls with a deadline: a read that can time out, which the
     * client's InputStream does not offer (its request timeout ends with the headers).
     */
    private static final class BodyQueue implements Flow.Subscriber<List<ByteBuffer>> {
        private static final Object END = new Object();
        private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> chunk) {
            items.add(chunk);
        }

        @Override
        public void onError(Throwable error) {
            items.add(error);
        }

        @Override
        public void onComplete() {
            items.add(END);
        }

        /** The next chunk, or null at the end. */
        @SuppressWarnings("unchecked")
        List<ByteBuffer> next(Duration stall) throws IOException, Stalled {
            Object item;
            try {
                item = items.poll(stall.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancel();
                throw new IOException("interrupted", e);
            }
            if (item == null) {
                cancel();
                throw new Stalled();
            }
            if (item == END) {
                return null;
            }
            if (item instanceof Throwable error) {
                throw error instanceof IOException io ? io : new IOException(error);
            }
            subscription.request(1);
            return (List<ByteBuffer>) item;
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
