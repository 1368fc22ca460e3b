package dev.stigmer.stackfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An env file: {@code KEY=VALUE} lines; blank lines and {@code #} comments are skipped, a leading
 * {@code export } is allowed, and a value in matching single or double quotes loses them. As in
 * Compose and python-dotenv, an unquoted value ends at a {@code #} that follows whitespace
 * ({@code KEY=value # note} is {@code value}; {@code KEY=a#b} keeps its {@code #}); a quoted value
 * keeps every {@code #} inside its quotes, and a comment may follow the closing quote. Values are
 * taken literally (no variables), as the service would see them.
 */
final class EnvFile {
    private EnvFile() {
    }

    static Map<String, String> read(Path file, Position from) throws StackFileException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new StackFileException(from, "cannot read env file " + file + " (" + e.getMessage()
                    + "); create it or remove it from env_file");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? "" : line.substring(0, eq).strip();
            if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new StackFileException(new Position(file, i + 1, 1),
                        "expected KEY=VALUE (KEY: letters, digits, _), got '" + lines.get(i).strip() + "'");
            }
            env.put(key, unquote(line.substring(eq + 1).strip()));
        }
        return env;
    }

    private static String unquote(String value) {
        if (value.startsWith("\"") || value.startsWith("'")) {
            int close = value.indexOf(value.charAt(0), 1);
            if (close > 0 && isComment(value.substring(close + 1))) {
                return value.substring(1, close);
            }
            if (value.length() >= 2 && value.endsWith(value.substring(0, 1))) {
                return value.substring(1, value.length() - 1);
            }
            return value;
        }
        for (int i = 1; i < value.length(); i++) {
            if (value.charAt(i) == '#' && Character.isWhitespace(value.charAt(i - 1))) {
                return value.substring(0, i).strip();
            }
        }
        return value;
    }

    /** Nothing, or whitespace and a comment: what may follow a quoted value. */
    private static boolean isComment(String rest) {
        String stripped = rest.strip();
        return stripped.isEmpty() || stripped.startsWith("#") && (rest.isEmpty() || Character.isWhitespace(rest.charAt(0)));
    }
}
