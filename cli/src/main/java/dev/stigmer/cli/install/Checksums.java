package dev.stigmer.cli.install;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A release's checksums.txt as goreleaser (and sha256sum) writes it: one {@code <sha256>  <file>}
 * per line (a {@code *} before the file marks binary mode). Only the line for the wanted file
 * matters; it must be there, once, and well formed.
 */
final class Checksums {
    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](\\S+)");

    private Checksums() {
    }

    /**
     * The SHA-256 (lowercase hex) that {@code text} gives for {@code file}.
     *
     * @param source where the text came from, for the message
     */
    static String digestOf(String text, String file, String source) throws InstallException {
        String found = null;
        List<String> lines = text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                if (m.group(2).equals(file)) {
                    String digest = m.group(1).toLowerCase(java.util.Locale.ROOT);
                    if (found != null && !found.equals(digest)) {
                        throw new InstallException(source + " gives two different sha256 for " + file + "; refusing to install");
                    }
                    found = digest;
                }
            } else if (line.endsWith(" " + file) || line.endsWith("*" + file)) {
                throw new InstallException(source + " has a malformed line for " + file + " (expected `<sha256>  "
                        + file + "`, got `" + abbreviate(line) + "`); refusing to install");
            }
        }
        if (found == null) {
            throw new InstallException(source + " has no sha256 for " + file + "; refusing to install an unverified archive");
        }
        return found;
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }
}
