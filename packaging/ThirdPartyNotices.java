import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Writes a release's THIRD-PARTY-NOTICES.txt and legal/ (run by ./package with Gson on the class
 * path): every bundled jar with its component, version and licences as the CycloneDX SBOM (made
 * by its Maven plugin from the POMs) records them, the licence and notice files each jar carries
 * copied to legal/JAR/, and the Java runtime's own notices (runtime/legal/). A jar the SBOM does
 * not know fails the packaging: nothing is shipped without a licence on record.
 * Usage: java -cp gson.jar ThirdPartyNotices.java SBOM RELEASE_DIR JDK_RELEASE_FILE (the JDK it was linked from)
 */
public class ThirdPartyNotices {
    private static final Pattern LEGAL_FILE = Pattern.compile("(?i)(^|.*/)(LICENSE|NOTICE|COPYING)[^/]*");

    record Component(String group, String name, String version, List<String> licenses) {
    }

    public static void main(String[] args) throws IOException {
        JsonObject sbom = JsonParser.parseString(Files.readString(Path.of(args[0]))).getAsJsonObject();
        Path release = Path.of(args[1]);
        Map<String, Component> byJarPrefix = new TreeMap<>();
        for (JsonElement element : sbom.getAsJsonArray("components")) {
            JsonObject c = element.getAsJsonObject();
            List<String> licenses = new ArrayList<>();
            JsonArray declared = c.has("licenses") ? c.getAsJsonArray("licenses") : new JsonArray();
            for (JsonElement l : declared) {
                JsonObject o = l.getAsJsonObject();
                JsonObject license = o.has("license") ? o.getAsJsonObject("license") : null;
                licenses.add(license == null ? o.get("expression").getAsString()
                        : license.has("id") ? license.get("id").getAsString() : license.get("name").getAsString());
            }
            Component component = new Component(c.has("group") ? c.get("group").getAsString() : "",
                    c.get("name").getAsString(), c.get("version").getAsString(), licenses);
            byJarPrefix.put(component.name() + "-" + component.version(), component);
        }

        Map<String, List<String>> jars = new TreeMap<>(); // file name -> the lib/ directories holding it
        try (Stream<Path> files = Files.walk(release.resolve("lib"))) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
                jars.computeIfAbsent(jar.getFileName().toString(), k -> new ArrayList<>())
                        .add(release.relativize(jar.getParent()).toString());
            }
        }

        Properties runtime = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
            runtime.load(in);
        }
        StringBuilder out = new StringBuilder();
        out.append("Third-party software in this release of stigmer\n")
                .append("================================================\n\n")
                .append("stigmer itself: Apache-2.0 (LICENSE). Machine-readable: sbom.cdx.json (CycloneDX).\n\n")
                .append("The Java runtime (runtime/): ").append(unquote(runtime.getProperty("IMPLEMENTOR", "OpenJDK")))
                .append(" ").append(unquote(runtime.getProperty("JAVA_RUNTIME_VERSION", "")))
                .append(", made with jlink from the JDK of the same build; GPL-2.0 WITH Classpath-exception-2.0.\n")
                .append("  Its licence and the notices of each module it holds: runtime/legal/<module>/.\n\n")
                .append("Libraries (lib/): component, version, licences (as their POMs declare them), where;\n")
                .append("licence and notice files a jar carries are copied to legal/<jar>/.\n\n");
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, List<String>> jar : jars.entrySet()) {
            String file = jar.getKey();
            Component component = byJarPrefix.entrySet().stream()
                    .filter(e -> file.startsWith(e.getKey() + ".") || file.startsWith(e.getKey() + "-"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (component == null || component.licenses().isEmpty()) {
                unknown.add(file);
                continue;
            }
            List<String> copied = copyLegalFiles(release.resolve(jar.getValue().getFirst()).resolve(file),
                    release.resolve("legal").resolve(file.substring(0, file.length() - 4)));
            out.append(String.format("  %-40s %-12s %-28s %s%s%n", component.group() + ":" + component.name(),
                    component.version(), String.join(" OR ", component.licenses()), String.join(", ", jar.getValue()),
                    copied.isEmpty() ? "" : "  (legal/" + file.substring(0, file.length() - 4) + "/)"));
        }
        if (!unknown.isEmpty()) {
            System.err.println("ThirdPartyNotices: no licence on record in the SBOM for " + unknown);
            System.exit(1);
        }
        Files.writeString(release.resolve("THIRD-PARTY-NOTICES.txt"), out);
    }

    /** Copies the jar's LICENSE/NOTICE/COPYING files (not directories) into {@code dir}; returns their names. */
    private static List<String> copyLegalFiles(Path jar, Path dir) throws IOException {
        List<String> copied = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().filter(e -> !e.isDirectory() && LEGAL_FILE.matcher(e.getName()).matches()
                    && !e.getName().endsWith(".class")).toList()) {
                Path target = dir.resolve(entry.getName().replace('/', '_'));
                Files.createDirectories(dir);
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                copied.add(entry.getName());
            }
        }
        return copied;
    }

    private static String unquote(String value) {
        return value.replaceAll("^\"|\"$", "");
    }
}
