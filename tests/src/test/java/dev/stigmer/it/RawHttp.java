package dev.stigmer.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 by hand over a socket to 127.0.0.1: every header exactly as a test writes it (the JDK's
 * client refuses to send a foreign {@code Host}), one request per connection.
 */
final class RawHttp {
    /** An answer: status, headers (names lower case; repeated ones joined by newlines), body. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /** {@code headers} are sent as given; {@code Host: 127.0.0.1:PORT} unless they name another. */
    static Response send(int port, String method, String path, Map<String, String> headers) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Host"))) {
            all.put("Host", "127.0.0.1:" + port);
        }
        all.putAll(headers);
        all.put("Connection", "close");
        if (method.equals("POST")) {
            all.put("Content-Length", "0");
        }
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        all.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            List<String> head = List.of(text.substring(0, end).split("\r\n"));
            Map<String, String> responseHeaders = new TreeMap<>();
            for (String line : head.subList(1, head.size())) {
                int colon = line.indexOf(':');
                responseHeaders.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                        (a, b) -> a + "\n" + b);
            }
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding"))) {
                body = unchunk(body);
            }
            return new Response(Integer.parseInt(head.getFirst().split(" ")[1]), responseHeaders, body);
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }
}
