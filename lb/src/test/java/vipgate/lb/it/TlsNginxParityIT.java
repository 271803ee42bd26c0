package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.SClient;
import vipgate.testkit.TlsFiles;

/**
 * The RSA-or-ECDSA choice of a dual-certificate server, against the real nginx-light with the same two
 * ssl_certificate's and the same suites: for each client, both send a certificate of the same type.
 */
@ExtendWith(NoLeaks.class)
class TlsNginxParityIT {
    private static final String SUITES = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
            + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
    @TempDir
    static Path dir;
    private static NginxWebNode nginx;
    private static NginxWebNode node;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        TlsFiles files = TlsFiles.in(dir);
        TlsFiles.Pair rsa = files.rsa("rsa", "www.example.test");
        TlsFiles.Pair ec = files.ec("ec", "www.example.test");
        nginx = NginxWebNode.builder().ssl("ssl_certificate " + rsa.certificate() + ";", "ssl_certificate_key " + rsa.key() + ";",
                "ssl_certificate " + ec.certificate() + ";", "ssl_certificate_key " + ec.key() + ";",
                "ssl_protocols TLSv1.2 TLSv1.3;", "ssl_ciphers " + SUITES + ";").start();
        node = NginxWebNode.start("HTTP WEB NODE 01\n");
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [ { listen = "127.0.0.1:${PORT}", server-names = ["www.example.test"]
                  locations = [ { path = "/", upstream = web } ]
                  tls { certificates = [ { certificate = "%s", key = "%s" }, { certificate = "%s", key = "%s" } ] } } ]
                """.formatted(node.address(), rsa.certificate(), rsa.key(), ec.certificate(), ec.key()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, node, nginx);
    }

    static Stream<Arguments> clients() {
        return Stream.of(
                Arguments.of("openssl's defaults", List.of()),
                Arguments.of("TLS 1.3, RSA-PSS only", List.of("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256")),
                Arguments.of("TLS 1.3, ECDSA only", List.of("-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256")),
                Arguments.of("TLS 1.3, RSA-PSS preferred", List.of("-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256:ecdsa_secp256r1_sha256")),
                Arguments.of("TLS 1.3, P-384 then RSA-PSS", List.of("-tls1_3", "-sigalgs", "ecdsa_secp384r1_sha384:rsa_pss_rsae_sha256")),
                Arguments.of("TLS 1.2 defaults", List.of("-tls1_2")),
                Arguments.of("TLS 1.2, an RSA suite only", List.of("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")),
                Arguments.of("TLS 1.2, an ECDSA suite only", List.of("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256")),
                Arguments.of("TLS 1.2, RSA suite first", List.of("-tls1_2", "-cipher",
                        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256")),
                Arguments.of("TLS 1.2, ECDSA suite, RSA schemes", List.of("-tls1_2", "-cipher",
                        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256", "-sigalgs", "RSA+SHA256")),
                Arguments.of("TLS 1.2, ECDSA suite, P-384 only", List.of("-tls1_2", "-cipher",
                        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256", "-curves", "P-384")));
    }

    private static String keyType(SClient.Result r) {
        assertThat(r.handshook()).as(r.toString()).isTrue();
        return r.peerSignature().startsWith("RSA") ? "RSA" : r.peerSignature();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void bothSendTheSameKindOfCertificate(String what, List<String> options) {
        String[] o = options.toArray(new String[0]);
        String fromNginx = keyType(SClient.run(nginx.port(), "www.example.test", o));
        String fromVipgate = keyType(SClient.run(lb.port, "www.example.test", o));
        System.out.println("TlsNginxParityIT " + what + ": nginx " + fromNginx + ", vipgate " + fromVipgate);
        assertThat(fromVipgate).isEqualTo(fromNginx);
    }
}
