package vipgate.lb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RSA or ECDSA for a ClientHello, as OpenSSL chooses for nginx with two ssl_certificate's. */
class CertificateChoiceTest {
    private static final CertifiedKey.Type EC = CertifiedKey.Type.EC;
    private static final CertifiedKey.Type RSA = CertifiedKey.Type.RSA;
    private static final List<String> SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    private static final CertificateChoice BOTH = new CertificateChoice(true, true, 256, true, true, false, SUITES);
    private static final CertificateChoice SERVER_ORDER = new CertificateChoice(true, true, 256, true, true, true, SUITES);

    private static ClientHelloOffer tls13(Integer... schemes) {
        return new ClientHelloOffer(true, List.of(0x1301), List.of(schemes), List.of(29, 23));
    }

    private static ClientHelloOffer tls12(List<Integer> suites, List<Integer> schemes, List<Integer> groups) {
        return new ClientHelloOffer(false, suites, schemes, groups);
    }

    @Test
    void tls13FollowsTheClientsFirstUsableSignatureScheme() {
        assertThat(BOTH.choose(tls13(0x0403, 0x0804))).isEqualTo(EC);
        assertThat(BOTH.choose(tls13(0x0804, 0x0403))).isEqualTo(RSA);
        // ed25519 and rsa_pkcs1 cannot sign a TLS 1.3 handshake here: skipped
        assertThat(BOTH.choose(tls13(0x0807, 0x0401, 0x0403))).isEqualTo(EC);
        // a P-384 scheme does not verify a P-256 certificate
        assertThat(BOTH.choose(tls13(0x0503, 0x0804))).isEqualTo(RSA);
        assertThat(SERVER_ORDER.choose(tls13(0x0804, 0x0403))).isEqualTo(EC);
        assertThat(SERVER_ORDER.choose(tls13(0x0804))).isEqualTo(RSA);
    }

    @Test
    void tls12FollowsTheFirstSharedSuite() {
        assertThat(BOTH.choose(tls12(List.of(0xC02B, 0xC02F), List.of(0x0403), null))).isEqualTo(EC);
        assertThat(BOTH.choose(tls12(List.of(0xC02F, 0xC02B), List.of(0x0403), null))).isEqualTo(RSA);
        // an RSA suite only, whatever the schemes (the case a signature-scheme rule alone got wrong)
        assertThat(BOTH.choose(tls12(List.of(0xC02F), List.of(0x0403, 0x0804), null))).isEqualTo(RSA);
        // ECDSA suite but no ECDSA scheme, or not the certificate's curve: the next shared suite
        assertThat(BOTH.choose(tls12(List.of(0xC02B, 0xC02F), List.of(0x0804), null))).isEqualTo(RSA);
        assertThat(BOTH.choose(tls12(List.of(0xC02B, 0xC02F), null, List.of(24)))).isEqualTo(RSA);
        // no signature_algorithms: ECDSA with SHA-1 is implied
        assertThat(BOTH.choose(tls12(List.of(0xC02B), null, null))).isEqualTo(EC);
        // a suite the server does not offer does not count
        assertThat(BOTH.choose(tls12(List.of(0xC02C, 0xC02F), List.of(0x0403), null))).isEqualTo(RSA);
        assertThat(SERVER_ORDER.choose(tls12(List.of(0xC02F, 0xC02B), List.of(0x0403), null))).isEqualTo(EC);
    }

    @Test
    void aServerWithOneCertificateOrAnUnreadableHelloLeavesNoChoice() {
        assertThat(new CertificateChoice(true, false, 256, true, true, false, SUITES).choose(tls13(0x0804))).isEqualTo(EC);
        assertThat(new CertificateChoice(false, true, 256, true, true, false, SUITES).choose(tls13(0x0403))).isEqualTo(RSA);
        assertThat(BOTH.choose(null)).isEqualTo(RSA);
        // a TLS 1.3 offer to a TLS 1.2-only server is read as TLS 1.2
        CertificateChoice only12 = new CertificateChoice(true, true, 256, false, true, false, SUITES);
        assertThat(only12.choose(new ClientHelloOffer(true, List.of(0x1301, 0xC02F, 0xC02B), List.of(0x0403), null)))
                .isEqualTo(RSA);
    }
}
