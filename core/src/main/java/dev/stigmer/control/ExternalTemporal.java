package dev.stigmer.control;

import java.util.Objects;

/**
 * A Temporal that runs elsewhere (self-hosted, Temporal Cloud): stigmer only checks that it
 * answers and points the stack's services at it. Never holds the API key itself: the key goes
 * to the daemon over its socket only (this record is in run/daemon.json and the daemon's argv).
 *
 * @param address  HOST:PORT
 * @param tls      null: plaintext
 * @param apiKey   whether an API key is sent (as {@code authorization: Bearer KEY})
 * @param source   where it was declared, for people: the stack file, or a profile of temporal.toml
 */
public record ExternalTemporal(String address, String namespace, Tls tls, boolean apiKey, String source) {

    public ExternalTemporal {
        Objects.requireNonNull(address);
        Objects.requireNonNull(namespace);
    }

    /**
     * TLS to the server. Null fields are not set: the system's trust store, no client
     * certificate, the host of the address as the name to verify.
     *
     * @param ca         the server's CA certificate (PEM file)
     * @param cert       the client certificate (PEM file), with {@code key}, for mutual TLS
     * @param key        the client's private key (PKCS#8 PEM file)
     * @param serverName the name the server's certificate must carry (and SNI), if not the host's
     */
    public record Tls(String ca, String cert, String key, String serverName) {
    }

    public String host() {
        return address.substring(0, address.lastIndexOf(':'));
    }

    public int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** One line for people: address, namespace, and how it is secured. */
    public String describe() {
        return address + ", namespace " + namespace + (tls == null ? ", plaintext" : ", TLS")
                + (tls != null && tls.cert() != null ? " with a client certificate" : "")
                + (apiKey ? ", API key" : "");
    }
}
