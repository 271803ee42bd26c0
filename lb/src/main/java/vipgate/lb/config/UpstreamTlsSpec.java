package vipgate.lb.config;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import vipgate.config.Section;
import vipgate.lb.tls.CertifiedKey;
import vipgate.lb.tls.Pem;

/**
 * An upstream group's {@code tls { }} block (nginx {@code proxy_pass https://} and its proxy_ssl_* directives): how
 * the servers are verified ({@code ca}: empty = the JVM's trusted CAs), the name sent in SNI and checked in their
 * certificates ({@code serverName}: empty = each server's host), the client certificate for mTLS, protocols and
 * suites. The files are read when the configuration is; equal specs (files included) share one TLS context.
 */
public record UpstreamTlsSpec(boolean verify, List<X509Certificate> ca, String serverName,
        Optional<CertifiedKey> certificate, List<String> protocols, List<String> ciphers) {


    /** Reads {@code tls} of {@code upstream} when the user wrote one. */
    static Optional<UpstreamTlsSpec> bind(Section upstream, Config defaults, Instant now) {
        if (!upstream.isSetByUser("tls")) {
            return Optional.empty();
        }
        Section t = upstream.section("tls", defaults);
        boolean verify = t.bool("verify");
        List<X509Certificate> ca = List.of();
        if (!t.string("ca").isBlank()) {
            Optional<String> text = TlsSpec.readFile(t, "ca", StandardCharsets.US_ASCII);
            if (text.isPresent()) {
                try {
                    ca = Pem.certificates(text.get());
                } catch (IllegalArgumentException e) {
                    t.problem("ca", t.string("ca") + ": " + e.getMessage());
                }
            }
            if (!verify) {
                t.problem("ca", "a ca is given but verify = false would ignore it; remove one of them");
            }
        }
        String serverName = t.string("server-name").strip();
        if (!serverName.isEmpty() && !isSniName(serverName)) {
            t.problem("server-name", "'" + serverName + "' is not a host name; write e.g. \"app.internal.example\", or \"\" "
                    + "for each server's own host");
        }
        Optional<CertifiedKey> certificate = Optional.empty();
        if (!t.string("certificate").isBlank()) {
            // a client certificate names no server: there is nothing for it to cover
            certificate = TlsSpec.certificate(t, List.of(), now);
        } else if (!t.string("key").isBlank() || !t.string("password-file").isBlank()) {
            t.problem("certificate", "a key is given without its certificate; write both for a client certificate");
        }
        List<String> protocols = TlsSpec.protocols(t);
        List<String> ciphers = TlsSpec.ciphers(t, protocols);
        return Optional.of(new UpstreamTlsSpec(verify, List.copyOf(ca), serverName, certificate, protocols, ciphers));
    }

    /** A name SNI can carry (RFC 6066: a DNS host name, no IP address), as the JDK's SNIHostName takes it. */
    private static boolean isSniName(String name) {
        if (name.matches("[0-9.]+") || name.contains(":") || name.endsWith(".")) {
            return false;
        }
        try {
            new SNIHostName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "UpstreamTlsSpec[verify=" + verify + ", ca=" + ca.size() + " certificates, server-name=" + serverName
                + ", certificate=" + certificate + ", " + protocols + "]";
    }
}
