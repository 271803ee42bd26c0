package vipgate.lb.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A virtual server's certificates, at most one RSA and one ECDSA, served as nginx serves two ssl_certificate's: a
 * client that can verify ECDSA signatures gets the ECDSA certificate (smaller, faster handshakes), any other the
 * RSA one.
 *
 * <p>The two providers ask differently. The JDK asks once per key type it could use for the handshake, in its own
 * order, so it is told yes for a type the client can verify. Netty's OpenSSL engine asks for every key type of the
 * server's cipher list and installs each answer in turn, while BoringSSL holds one certificate per connection (the
 * last installed): so there ({@code decideOnce}) the choice is made here, from the client's signature algorithms,
 * and only the chosen type gets an answer.
 */
final class CertificateKeyManager extends X509ExtendedKeyManager {
    private final Map<CertifiedKey.Type, CertifiedKey> byType = new EnumMap<>(CertifiedKey.Type.class);
    private final boolean decideOnce;

    CertificateKeyManager(List<CertifiedKey> certificates, boolean decideOnce) {
        certificates.forEach(c -> byType.put(c.type(), c));
        this.decideOnce = decideOnce;
    }

    static String alias(CertifiedKey.Type type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private static CertifiedKey.Type typeOf(String keyType) {
        return switch (keyType) {
            case "RSA" -> CertifiedKey.Type.RSA;
            case "EC", "EC_EC" -> CertifiedKey.Type.EC;
            default -> null;
        };
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        CertifiedKey.Type wanted = typeOf(keyType);
        if (wanted == null || !byType.containsKey(wanted)) {
            return null;
        }
        List<String> algorithms = peerSignatureAlgorithms(engine);
        if (decideOnce) {
            return choose(algorithms) == wanted ? alias(wanted) : null;
        }
        return accepts(algorithms, wanted) ? alias(wanted) : null;
    }

    private CertifiedKey.Type choose(List<String> peerAlgorithms) {
        return choose(byType.containsKey(CertifiedKey.Type.EC), byType.containsKey(CertifiedKey.Type.RSA), peerAlgorithms);
    }

    /** ECDSA when there is one and the client verifies it, else RSA when there is one, else the ECDSA one. */
    static CertifiedKey.Type choose(boolean ec, boolean rsa, List<String> peerAlgorithms) {
        if (ec && rsa) {
            // a TLS 1.2 client that sent no signature_algorithms: RFC 5246 7.4.1.4.1 has it accept RSA for certain
            return !peerAlgorithms.isEmpty() && accepts(peerAlgorithms, CertifiedKey.Type.EC) ? CertifiedKey.Type.EC
                    : CertifiedKey.Type.RSA;
        }
        return ec ? CertifiedKey.Type.EC : CertifiedKey.Type.RSA;
    }

    /**
     * Whether the client's signature algorithms (empty: it named none) include one for {@code type}: names are the
     * JDK's ("ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256") or Netty's for OpenSSL ("SHA256withECDSA").
     */
    static boolean accepts(List<String> peerAlgorithms, CertifiedKey.Type type) {
        if (peerAlgorithms.isEmpty()) {
            return true;
        }
        for (String a : peerAlgorithms) {
            String name = a.toLowerCase(Locale.ROOT);
            boolean isEc = name.contains("ecdsa");
            if (type == CertifiedKey.Type.EC ? isEc : !isEc && name.contains("rsa")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> peerSignatureAlgorithms(SSLEngine engine) {
        SSLSession session = engine == null ? null : engine.getHandshakeSession();
        if (session instanceof ExtendedSSLSession extended) {
            String[] algorithms = extended.getPeerSupportedSignatureAlgorithms();
            if (algorithms != null) {
                return List.of(algorithms);
            }
        }
        return List.of();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        CertifiedKey.Type type = typeOf(keyType);
        return type != null && byType.containsKey(type) ? new String[] {alias(type)} : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        CertifiedKey.Type type = typeOf(keyType);
        return type != null && byType.containsKey(type) ? alias(type) : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertifiedKey k = byAlias(alias);
        return k == null ? null : k.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertifiedKey k = byAlias(alias);
        return k == null ? null : k.key();
    }

    private CertifiedKey byAlias(String alias) {
        for (Map.Entry<CertifiedKey.Type, CertifiedKey> e : byType.entrySet()) {
            if (alias(e.getKey()).equals(alias)) {
                return e.getValue();
            }
        }
        return null;
    }

    // a server presents no client certificate

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
