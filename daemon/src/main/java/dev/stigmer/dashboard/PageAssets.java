package dev.stigmer.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/** The page's files (hand-written HTML, CSS and JavaScript; no build step), read once from the jar. */
final class PageAssets {
    /** A served file: its bytes and type. */
    record Asset(byte[] bytes, String contentType) {
    }

    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/app.js", "app.js",
            "/style.css", "style.css");

    private final Map<String, Asset> assets;

    private PageAssets(Map<String, Asset> assets) {
        this.assets = assets;
    }

    static PageAssets load() {
        Map<String, Asset> loaded = new java.util.HashMap<>();
        FILES.forEach((path, file) -> loaded.put(path, new Asset(read(file), type(file))));
        return new PageAssets(Map.copyOf(loaded));
    }

    Optional<Asset> get(String path) {
        return Optional.ofNullable(assets.get(path));
    }

    private static byte[] read(String file) {
        try (InputStream in = PageAssets.class.getResourceAsStream("page/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + file + " is missing from the daemon's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String type(String file) {
        return file.endsWith(".html") ? "text/html; charset=utf-8"
                : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    }
}
