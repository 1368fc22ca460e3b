package dev.stigmer.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for one test with the JDK's keytool (no openssl needed): a CA, a server
 * certificate it signed for {@link #SERVER_NAME} only (not 127.0.0.1, so the name to verify must
 * be given), a client certificate it signed, and an unrelated CA. Keys as PKCS#8 PEM.
 */
record TestCertificates(Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey, Path otherCa) {
    static final String SERVER_NAME = "temporal.stigmer.test";
    private static final String PASSWORD = "changeit";

    static TestCertificates create(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path caStore = dir.resolve("ca.p12");
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=stigmer test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", caStore.toString());
        Path ca = dir.resolve("ca.pem");
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-file", ca.toString());
        Path otherStore = dir.resolve("other.p12");
        keytool(dir, "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=another CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", otherStore.toString());
        Path otherCa = dir.resolve("other-ca.pem");
        keytool(dir, "-exportcert", "-rfc", "-alias", "other", "-keystore", otherStore.toString(), "-file", otherCa.toString());
        Path[] server = signed(dir, caStore, "server", "CN=" + SERVER_NAME, "SAN=dns:" + SERVER_NAME);
        Path[] client = signed(dir, caStore, "client", "CN=stigmer test client", "EKU=clientAuth");
        return new TestCertificates(ca, server[0], server[1], client[0], client[1], otherCa);
    }

    /** A key pair, its certificate signed by the CA in {@code caStore}: {cert.pem, key.pem}. */
    private static Path[] signed(Path dir, Path caStore, String name, String dname, String extension) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool(dir, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-keystore", store.toString());
        Path request = dir.resolve(name + ".csr");
        keytool(dir, "-certreq", "-alias", name, "-keystore", store.toString(), "-file", request.toString());
        Path cert = dir.resolve(name + ".pem");
        keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-infile", request.toString(),
                "-outfile", cert.toString(), "-ext", extension, "-validity", "2");
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD.toCharArray());
        }
        PrivateKey key = (PrivateKey) keyStore.getKey(name, PASSWORD.toCharArray());
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return new Path[]{cert, keyFile};
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Stack.JAVA.resolveSibling("keytool").toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASSWORD, "-storetype", "PKCS12", "-noprompt"));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
