package vipgate.lb.config;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vipgate.config.Section;
import vipgate.lb.tls.CertifiedKey;
import vipgate.lb.tls.Pem;
import vipgate.lb.tls.TlsProvider;

/**
 * A virtual server's {@code tls { }} block (nginx {@code listen ... ssl} and its ssl_* directives), with the
 * certificates already read from their files and checked: a reload that cannot serve them is refused here, at the
 * line that names them, and the running certificates keep serving.
 */
public record TlsSpec(List<CertifiedKey> certificates, List<String> protocols, List<String> ciphers,
        boolean preferServerCiphers, boolean sessionTickets, int sessionCache, Duration sessionTimeout,
        Duration handshakeTimeout) {

    /** Larger than any certificate chain or key; a mistyped path to a log file is not read into memory. */
    static final long MAX_FILE = 1 << 20;
    private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    /**
     * Reads {@code tls} of {@code server} when the user wrote one. Certificates must be valid at {@code now} and cover
     * every one of {@code serverNames}.
     */
    static Optional<TlsSpec> bind(Section server, Config tlsDefaults, Config certificateDefaults, List<String> serverNames,
            Instant now) {
        if (!server.isSetByUser("tls")) {
            return Optional.empty();
        }
        Section t = server.section("tls", tlsDefaults);
        Map<CertifiedKey.Type, CertifiedKey> byType = new EnumMap<>(CertifiedKey.Type.class);
        List<Section> entries = t.objectList("certificates", certificateDefaults);
        for (Section c : entries) {
            certificate(c, serverNames, now).ifPresent(k -> {
                if (byType.putIfAbsent(k.type(), k) != null) {
                    c.problem("certificate", "a second " + k.type() + " certificate; a server serves at most one RSA and one "
                            + "ECDSA certificate (the first one is " + byType.get(k.type()) + ")");
                }
            });
        }
        if (entries.isEmpty()) {
            t.problem("certificates", "a tls block needs a certificate: certificates = [ { certificate = \"/etc/vipgate/tls/"
                    + "site.crt\", key = \"/etc/vipgate/tls/site.key\" } ]");
        }
        List<String> protocols = protocols(t);
        List<String> ciphers = ciphers(t, protocols);
        TlsSpec spec = new TlsSpec(List.copyOf(byType.values()), protocols, ciphers,
                t.bool("prefer-server-ciphers"), t.bool("session-tickets"), t.integer("session-cache", 0, 10_000_000),
                t.positiveDuration("session-timeout"), t.positiveDuration("handshake-timeout"));
        return Optional.of(spec);
    }

    /** {@code protocols} of a tls block: TLSv1.2 and/or TLSv1.3, anything else refused with the reason. */
    static List<String> protocols(Section t) {
        List<String> protocols = t.strings("protocols");
        for (String p : protocols) {
            if (p.equals("TLSv1") || p.equals("TLSv1.1") || p.startsWith("SSL")) {
                t.problem("protocols", p + " is broken (RFC 8996) and not available; write \"TLSv1.2\" and/or \"TLSv1.3\"");
            } else if (!PROTOCOLS.contains(p)) {
                t.problem("protocols", "unknown protocol '" + p + "'; write \"TLSv1.2\" and/or \"TLSv1.3\"");
            }
        }
        if (protocols.isEmpty()) {
            t.problem("protocols", "name at least one of \"TLSv1.2\", \"TLSv1.3\"");
        }
        return List.copyOf(protocols);
    }

    /** {@code ciphers} of a tls block by IANA name, each one the provider offers, a TLS 1.2 one when 1.2 is offered. */
    static List<String> ciphers(Section t, List<String> protocols) {
        Set<String> ciphers = new LinkedHashSet<>();
        Set<String> supported = TlsProvider.supportedCipherSuites();
        for (String name : t.strings("ciphers")) {
            String iana = TlsProvider.ianaName(name.strip());
            if (!supported.contains(iana)) {
                t.problem("ciphers", "'" + name + "' is not a cipher suite " + TlsProvider.name() + " offers");
            } else {
                ciphers.add(iana);
            }
        }
        if (protocols.contains("TLSv1.2") && ciphers.stream().noneMatch(TlsSpec::isTls12Suite)) {
            t.problem("ciphers", "TLSv1.2 is offered but no TLS 1.2 suite is named, e.g. \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"");
        }
        return List.copyOf(ciphers);
    }

    /** TLS 1.3 suites name no key exchange: TLS_AES_128_GCM_SHA256; TLS 1.2 ones do: TLS_ECDHE_RSA_WITH_.... */
    static boolean isTls12Suite(String iana) {
        return iana.contains("_WITH_");
    }

    /**
     * The certificate, key and password-file of {@code c}, read and paired; valid at {@code now} and covering
     * {@code serverNames}. Empty, with the problem recorded, when it cannot serve.
     */
    static Optional<CertifiedKey> certificate(Section c, List<String> serverNames, Instant now) {
        Optional<String> certText = readFile(c, "certificate", StandardCharsets.US_ASCII);
        boolean keyInCertificate = c.string("key").isBlank();
        String keyKey = keyInCertificate ? "certificate" : "key";
        Optional<String> keyText = keyInCertificate ? certText : readFile(c, "key", StandardCharsets.US_ASCII);
        List<String> passphrases = new ArrayList<>();
        if (!c.string("password-file").isBlank()) {
            // passphrases are text: UTF-8, as the JDK encodes them for PBES2 and OpenSSL takes a terminal's bytes
            Optional<String> lines = readFile(c, "password-file", StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            lines.get().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(passphrases::add);
            if (passphrases.isEmpty()) {
                c.problem("password-file", c.string("password-file") + " holds no passphrase");
                return Optional.empty();
            }
        }
        if (certText.isEmpty() || keyText.isEmpty()) {
            return Optional.empty();
        }
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(certText.get());
        } catch (IllegalArgumentException e) {
            c.problem("certificate", c.string("certificate") + ": " + e.getMessage());
            return Optional.empty();
        }
        PrivateKey key;
        try {
            key = Pem.privateKey(keyText.get(), passphrases);
        } catch (IllegalArgumentException e) {
            c.problem(keyKey, c.string(keyKey) + ": " + e.getMessage());
            return Optional.empty();
        }
        CertifiedKey pair;
        try {
            pair = CertifiedKey.of(chain, key);
        } catch (IllegalArgumentException e) {
            c.problem("key", c.string(keyKey) + ": " + e.getMessage());
            return Optional.empty();
        }
        Optional<String> invalid = pair.invalidAt(now);
        if (invalid.isPresent()) {
            c.problem("certificate", c.string("certificate") + ": " + invalid.get());
            return Optional.empty();
        }
        List<String> uncovered = serverNames.stream().filter(n -> !pair.covers(n)).toList();
        if (!uncovered.isEmpty()) {
            c.problem("certificate", c.string("certificate") + ": the certificate " + CertifiedKey.describe(pair.leaf())
                    + " does not cover " + String.join(", ", uncovered) + " of server-names; clients asking for "
                    + (uncovered.size() == 1 ? "it" : "them") + " would refuse it");
            return Optional.empty();
        }
        return Optional.of(pair);
    }

    /** The file named by {@code key} of {@code c} (an absolute path, at most {@link #MAX_FILE}), or empty with the problem. */
    static Optional<String> readFile(Section c, String key, java.nio.charset.Charset charset) {
        String name = c.string(key).strip();
        if (name.isEmpty()) {
            c.problem(key, "write the path of a PEM file");
            return Optional.empty();
        }
        Path path = Path.of(name);
        if (!path.isAbsolute()) {
            c.problem(key, "write an absolute path such as \"/etc/vipgate/tls/site.pem\", got '" + name + "'");
            return Optional.empty();
        }
        try {
            if (Files.size(path) > MAX_FILE) {
                c.problem(key, name + " is larger than " + (MAX_FILE >> 10) + " KiB; is it the right file?");
                return Optional.empty();
            }
            return Optional.of(new String(Files.readAllBytes(path), charset));
        } catch (NoSuchFileException e) {
            c.problem(key, "cannot read " + name + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            c.problem(key, "cannot read " + name + ": permission denied");
        } catch (IOException e) {
            c.problem(key, "cannot read " + name + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "TlsSpec" + certificates + protocols;
    }
}
