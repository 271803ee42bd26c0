package vipgate.lb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The choice between a server's RSA and ECDSA certificates, from the signature algorithms a client sent. */
class CertificateKeyManagerTest {
    private static final List<String> OPENSSL_DEFAULT = List.of("ecdsa_secp256r1_sha256", "ed25519", "rsa_pss_rsae_sha256",
            "rsa_pkcs1_sha256");
    private static final List<String> RSA_ONLY = List.of("rsa_pss_rsae_sha256", "rsa_pkcs1_sha256");
    // Netty's names for OpenSSL's
    private static final List<String> NETTY_EC_ONLY = List.of("SHA256withECDSA", "SHA384withECDSA");

    @Test
    void aClientThatVerifiesEcdsaGetsTheEcdsaCertificate() {
        assertThat(CertificateKeyManager.accepts(OPENSSL_DEFAULT, CertifiedKey.Type.EC)).isTrue();
        assertThat(CertificateKeyManager.accepts(OPENSSL_DEFAULT, CertifiedKey.Type.RSA)).isTrue();
        assertThat(CertificateKeyManager.accepts(RSA_ONLY, CertifiedKey.Type.EC)).isFalse();
        assertThat(CertificateKeyManager.accepts(NETTY_EC_ONLY, CertifiedKey.Type.RSA)).isFalse();
        assertThat(CertificateKeyManager.accepts(NETTY_EC_ONLY, CertifiedKey.Type.EC)).isTrue();
        // none sent (TLS 1.2 may omit them): anything goes
        assertThat(CertificateKeyManager.accepts(List.of(), CertifiedKey.Type.EC)).isTrue();
    }

    @Test
    void withBothCertificatesEcdsaIsPreferredWhereverItIsVerifiable() {
        assertThat(CertificateKeyManager.choose(true, true, OPENSSL_DEFAULT)).isEqualTo(CertifiedKey.Type.EC);
        assertThat(CertificateKeyManager.choose(true, true, RSA_ONLY)).isEqualTo(CertifiedKey.Type.RSA);
        // RFC 5246: a TLS 1.2 client that names no algorithms certainly takes RSA
        assertThat(CertificateKeyManager.choose(true, true, List.of())).isEqualTo(CertifiedKey.Type.RSA);
        // with one certificate there is no choice: the handshake fails in the TLS library if the client cannot take it
        assertThat(CertificateKeyManager.choose(true, false, RSA_ONLY)).isEqualTo(CertifiedKey.Type.EC);
        assertThat(CertificateKeyManager.choose(false, true, NETTY_EC_ONLY)).isEqualTo(CertifiedKey.Type.RSA);
    }
}
