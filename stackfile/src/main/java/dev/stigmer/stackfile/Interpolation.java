package dev.stigmer.stackfile;

import java.util.Map;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} from the environment of the `stigmer local` call;
 * {@code $$} is a literal {@code $}. A {@code $} followed by anything else stays as it is.
 */
final class Interpolation {
    private Interpolation() {
    }

    static String substitute(String text, Map<String, String> env, Position at) throws StackFileException {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new StackFileException(at, "unclosed variable '" + text.substring(i)
                            + "': write ${NAME} or ${NAME:-default}, or $$ for a literal $");
                }
                out.append(resolve(text.substring(i + 2, close), env, at));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String resolve(String expression, Map<String, String> env, Position at) throws StackFileException {
        int fallback = expression.indexOf(":-");
        String name = fallback < 0 ? expression : expression.substring(0, fallback);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new StackFileException(at, "'${" + expression + "}' is not a variable: write ${NAME} or ${NAME:-default}");
        }
        String value = env.get(name);
        if (fallback >= 0) {
            return value == null || value.isEmpty() ? expression.substring(fallback + 2) : value;
        }
        if (value == null) {
            throw new StackFileException(at, "variable " + name + " is not set: set it in the environment of "
                    + "`stigmer local`, or write ${" + name + ":-default}");
        }
        return value;
    }
}
