package vipgate.lb.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate chain and its private key, checked to belong together. Holds key material: its {@link #toString}
 * names the certificate only. Immutable; equal when chain and key are (a reload reuses what did not change).
 */
public final class CertifiedKey {
    /** The key types a TLS server certificate may have here, as the JDK's key managers name them. */
    public enum Type {
        RSA, EC
    }

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final Type type;

    private CertifiedKey(List<X509Certificate> chain, PrivateKey key, Type type) {
        this.chain = chain;
        this.key = key;
        this.type = type;
    }

    /**
     * Pairs {@code chain} (the server's certificate first) with {@code key}; refused when the key is not the
     * certificate's or of a type TLS servers here do not use.
     */
    public static CertifiedKey of(List<X509Certificate> chain, PrivateKey key) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no certificate");
        }
        X509Certificate leaf = chain.get(0);
        Type type = switch (key.getAlgorithm()) {
            case "RSA" -> Type.RSA;
            case "EC" -> Type.EC;
            default -> throw new IllegalArgumentException("the key is " + key.getAlgorithm() + "; use an RSA or ECDSA key");
        };
        if (!leaf.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the key (" + key.getAlgorithm() + ") does not belong to the certificate "
                    + describe(leaf) + " (" + leaf.getPublicKey().getAlgorithm() + ")");
        }
        if (!signs(key, leaf.getPublicKey(), type)) {
            throw new IllegalArgumentException("the key does not belong to the certificate " + describe(leaf)
                    + " (a signature made with it does not verify with the certificate's public key)");
        }
        return new CertifiedKey(List.copyOf(chain), key, type);
    }

    /** The one proof that works for every key type: sign with the private key, verify with the certificate. */
    private static boolean signs(PrivateKey key, PublicKey certificate, Type type) {
        String algorithm = type == Type.RSA ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // e.g. an EC key on a curve other than the certificate's
            return false;
        }
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public PrivateKey key() {
        return key;
    }

    public Type type() {
        return type;
    }

    /** Why the certificate cannot be served at {@code now} (expired, not yet valid), or empty. */
    public Optional<String> invalidAt(Instant now) {
        X509Certificate leaf = leaf();
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            return Optional.of("the certificate " + describe(leaf) + " expired on " + leaf.getNotAfter().toInstant());
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            return Optional.of("the certificate " + describe(leaf) + " is not valid before " + leaf.getNotBefore().toInstant());
        }
        return Optional.empty();
    }

    /**
     * Whether a client asking for {@code serverName} (a server-names entry: exact, {@code *.example.com} or
     * {@code .example.com}) accepts this certificate: its DNS subject alternative names, or without any its common
     * name, as browsers match them (a "*." name covers one label). Trailing wildcards ({@code www.example.*}) and
     * regular expressions name no host a certificate can cover: true for them, they are not checked.
     */
    public boolean covers(String serverName) {
        String name = serverName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".*") || name.startsWith("~") || name.equals("_") || name.isEmpty()) {
            return true;
        }
        List<String> dns = dnsNames();
        if (name.startsWith(".")) {
            return matchesAny(dns, name.substring(1)) && dns.contains("*" + name);
        }
        if (name.startsWith("*.")) {
            return dns.contains(name);
        }
        return matchesAny(dns, name);
    }

    private static boolean matchesAny(List<String> patterns, String host) {
        for (String p : patterns) {
            if (p.equals(host)) {
                return true;
            }
            if (p.startsWith("*.") && host.endsWith(p.substring(1)) && host.indexOf('.') > 0
                    && host.indexOf('.') == host.length() - p.length() + 1) {
                return true;
            }
        }
        return false;
    }

    /** The leaf's DNS names (and IP addresses, as text), lower-cased; its common name when it has none. */
    List<String> dnsNames() {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf().getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int kind = (Integer) san.get(0);
                    // 2 = dNSName, 7 = iPAddress
                    if (kind == 2 || kind == 7) {
                        out.add(san.get(1).toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return out;
        }
        if (out.isEmpty()) {
            commonName(leaf().getSubjectX500Principal()).ifPresent(cn -> out.add(cn.toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    private static Optional<String> commonName(X500Principal subject) {
        for (String part : subject.getName(X500Principal.RFC2253).split(",")) {
            if (part.startsWith("CN=")) {
                return Optional.of(part.substring(3));
            }
        }
        return Optional.empty();
    }

    /** "CN=www.example.com (serial 1a2b)" for messages. */
    public static String describe(X509Certificate c) {
        return c.getSubjectX500Principal().getName(X500Principal.RFC2253) + " (serial " + c.getSerialNumber().toString(16) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertifiedKey other && chain.equals(other.chain) && type == other.type
                && Arrays.equals(key.getEncoded(), other.key.getEncoded());
    }

    @Override
    public int hashCode() {
        return chain.hashCode();
    }

    @Override
    public String toString() {
        return type + " " + describe(leaf());
    }
}
