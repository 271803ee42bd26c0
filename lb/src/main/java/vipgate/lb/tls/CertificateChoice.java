package vipgate.lb.tls;

import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vipgate.lb.config.TlsSpec;

/**
 * Which of a server's certificates, RSA or ECDSA, a client gets: the one OpenSSL picks for nginx with two
 * ssl_certificate's. In TLS 1.3, the first of the client's signature schemes (the server's preference instead with
 * prefer-server-ciphers) that one of the certificates can sign with; in TLS 1.2, the key type of the first suite in
 * the client's order (the server's with prefer-server-ciphers) both sides have, ECDSA only where the client's
 * signature schemes and groups take the certificate's curve. Whatever is unclear gets RSA, which every client takes.
 * Pure.
 */
final class CertificateChoice {
    /** rsa_pss_rsae_sha256/384/512: TLS 1.3 signs with an RSA key only so. */
    private static final Set<Integer> RSA_PSS_RSAE = Set.of(0x0804, 0x0805, 0x0806);
    /**
     * The TLS 1.2 suites BoringSSL can negotiate, by their IANA code: a ClientHello names suites by code, the
     * configuration by name.
     */
    private static final Map<Integer, String> TLS12_SUITES = Map.ofEntries(
            Map.entry(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            Map.entry(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
            Map.entry(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
            Map.entry(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
            Map.entry(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
            Map.entry(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
            Map.entry(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            Map.entry(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
            Map.entry(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
            Map.entry(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
            Map.entry(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            Map.entry(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            Map.entry(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
            Map.entry(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
            Map.entry(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"));

    private final boolean ec;
    private final boolean rsa;
    /** The TLS 1.3 signature scheme and the group of the ECDSA certificate's curve. */
    private final int ecScheme;
    private final int ecGroup;
    private final boolean tls13;
    private final boolean tls12;
    private final boolean preferServer;
    /** The server's suites in its order. */
    private final List<String> suites;

    CertificateChoice(boolean ec, boolean rsa, int ecCurveBits, boolean tls13, boolean tls12, boolean preferServer,
            List<String> suites) {
        this.ec = ec;
        this.rsa = rsa;
        // P-256: ecdsa_secp256r1_sha256 and secp256r1; P-384, P-521 likewise (RFC 8446 4.2.3, 4.2.7)
        this.ecScheme = ecCurveBits <= 256 ? 0x0403 : ecCurveBits <= 384 ? 0x0503 : 0x0603;
        this.ecGroup = ecCurveBits <= 256 ? 23 : ecCurveBits <= 384 ? 24 : 25;
        this.tls13 = tls13;
        this.tls12 = tls12;
        this.preferServer = preferServer;
        this.suites = List.copyOf(suites);
    }

    static CertificateChoice of(TlsSpec spec) {
        int bits = spec.certificates().stream().filter(c -> c.type() == CertifiedKey.Type.EC)
                .mapToInt(c -> ((ECPublicKey) c.leaf().getPublicKey()).getParams().getCurve().getField().getFieldSize())
                .findFirst().orElse(256);
        boolean ec = spec.certificates().stream().anyMatch(c -> c.type() == CertifiedKey.Type.EC);
        boolean rsa = spec.certificates().stream().anyMatch(c -> c.type() == CertifiedKey.Type.RSA);
        return new CertificateChoice(ec, rsa, bits, spec.protocols().contains("TLSv1.3"), spec.protocols().contains("TLSv1.2"),
                spec.preferServerCiphers(), spec.ciphers());
    }

    /** The certificate for {@code hello} (null: none could be read). */
    CertifiedKey.Type choose(ClientHelloOffer hello) {
        if (!ec) {
            return CertifiedKey.Type.RSA;
        }
        if (!rsa) {
            return CertifiedKey.Type.EC;
        }
        if (hello == null) {
            return CertifiedKey.Type.RSA;
        }
        if (tls13 && hello.tls13()) {
            return tls13(hello.signatureSchemes());
        }
        return tls12 ? tls12(hello) : CertifiedKey.Type.RSA;
    }

    private CertifiedKey.Type tls13(List<Integer> schemes) {
        if (schemes == null) {
            return CertifiedKey.Type.RSA;
        }
        if (preferServer) {
            // BoringSSL's own order puts ECDSA first
            return schemes.contains(ecScheme) ? CertifiedKey.Type.EC : CertifiedKey.Type.RSA;
        }
        for (int s : schemes) {
            if (s == ecScheme) {
                return CertifiedKey.Type.EC;
            }
            if (RSA_PSS_RSAE.contains(s)) {
                return CertifiedKey.Type.RSA;
            }
        }
        return CertifiedKey.Type.RSA;
    }

    private CertifiedKey.Type tls12(ClientHelloOffer hello) {
        // with no signature_algorithms a TLS 1.2 client takes ecdsa with SHA-1 (RFC 5246 7.4.1.4.1)
        boolean ecUsable = (hello.signatureSchemes() == null || hello.signatureSchemes().stream().anyMatch(s -> (s & 0xFF) == 3))
                && (hello.groups() == null || hello.groups().contains(ecGroup));
        List<String> offered = hello.cipherSuites().stream().map(TLS12_SUITES::get).filter(n -> n != null).toList();
        List<String> order = preferServer ? suites.stream().filter(offered::contains).toList()
                : offered.stream().filter(suites::contains).toList();
        for (String suite : order) {
            if (suite.contains("_ECDSA_")) {
                if (ecUsable) {
                    return CertifiedKey.Type.EC;
                }
            } else {
                return CertifiedKey.Type.RSA;
            }
        }
        return CertifiedKey.Type.RSA;
    }
}
