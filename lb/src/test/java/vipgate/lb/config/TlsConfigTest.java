package vipgate.lb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.ConfigException;
import vipgate.config.ConfigProblem;
import vipgate.lb.tls.CertifiedKey;
import vipgate.testkit.TlsFiles;

/** The tls block of a server: defaults, certificate checks at their line, TLS and plaintext on one socket. */
class TlsConfigTest {
    @TempDir
    static Path dir;
    private static TlsFiles files;
    private static TlsFiles.Pair rsa;
    private static TlsFiles.Pair ec;
    private static TlsFiles.Pair other;

    @BeforeAll
    static void make() {
        files = TlsFiles.in(dir);
        rsa = files.rsa("rsa", "www.example.test");
        ec = files.ec("ec", "www.example.test");
        other = files.rsa("other", "other.example.test");
    }

    private static String config(String servers) {
        return """
                vipgate.lb {
                  upstreams.web { servers = [ { address = "127.0.0.1:8081" } ] }
                  servers = [
                %s
                  ]
                }
                """.formatted(servers);
    }

    private static String tlsServer(String listen, String tls) {
        return "    { listen = \"" + listen + "\", server-names = [\"www.example.test\"], locations = [ { path = \"/\", upstream = web } ]\n"
                + "      tls { " + tls + " } }\n";
    }

    private static String certificate(TlsFiles.Pair p) {
        return "{ certificate = \"" + p.certificate() + "\", key = \"" + p.key() + "\" }";
    }

    private static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> LbConfigText.bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void aServerWithoutTlsIsPlaintextAndOneWithItTakesTheSafeDefaults() {
        LbConfig cfg = LbConfigText.bind(config(
                tlsServer("127.0.0.1:8443", "certificates = [ " + certificate(rsa) + ", " + certificate(ec) + " ]")
                + "    { listen = \"127.0.0.1:8080\", locations = [ { path = \"/\", upstream = web } ] }\n"));
        assertThat(cfg.servers().get(1).tls()).isEmpty();
        TlsSpec tls = cfg.servers().get(0).tls().orElseThrow();
        assertThat(tls.certificates()).extracting(CertifiedKey::type).containsExactlyInAnyOrder(CertifiedKey.Type.RSA,
                CertifiedKey.Type.EC);
        assertThat(tls.protocols()).containsExactly("TLSv1.2", "TLSv1.3");
        assertThat(tls.ciphers()).allMatch(c -> c.contains("GCM") || c.contains("CHACHA20"));
        assertThat(tls.preferServerCiphers()).isFalse();
        assertThat(tls.sessionTickets()).isTrue();
        assertThat(tls.sessionCache()).isPositive();
        assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theKeyMayBeInTheCertificateFileAndOpensslCipherNamesAreAccepted() {
        Path combined = files.concat("combined.pem", rsa.certificate(), rsa.key());
        LbConfig cfg = LbConfigText.bind(config(tlsServer("127.0.0.1:8443", "certificates = [ { certificate = \"" + combined
                + "\" } ], ciphers = [\"ECDHE-RSA-AES128-GCM-SHA256\"], protocols = [\"TLSv1.2\"]")));
        TlsSpec tls = cfg.servers().get(0).tls().orElseThrow();
        assertThat(tls.ciphers()).containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void tlsAndPlaintextCannotShareASocket() {
        String tls = tlsServer("0.0.0.0:8443", "certificates = [ " + certificate(rsa) + " ]");
        assertThat(problems(config(tls + "    { listen = \"127.0.0.1:8443\", locations = [ { path = \"/\", upstream = web } ] }\n")))
                .containsExactly("test.conf:6: vipgate.lb.servers[1].listen: 127.0.0.1:8443 is plaintext here but 0.0.0.0:8443 "
                        + "of vipgate.lb.servers[0] (line 4) is TLS on the same socket; give both servers a tls block, or "
                        + "neither, or listen on another port");
        // another port, or another address without a wildcard, is another socket
        LbConfigText.bind(config(tls + "    { listen = \"127.0.0.1:8080\", locations = [ { path = \"/\", upstream = web } ] }\n"));
    }

    @Test
    void certificateProblemsAreReportedAtTheirLineWithTheReason() {
        Path missing = dir.resolve("missing.crt");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ { certificate = \"" + missing + "\", key = \""
                + rsa.key() + "\" } ]")))).singleElement().asString()
                .startsWith("test.conf:5: vipgate.lb.servers[0].tls.certificates[0].certificate: cannot read " + missing
                        + ": no such file");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ { certificate = \"" + rsa.certificate()
                + "\", key = \"" + other.key() + "\" } ]")))).singleElement().asString()
                .contains("tls.certificates[0].key: " + other.key() + ": the key does not belong to the certificate CN=www.example.test");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ " + certificate(other) + " ]"))))
                .singleElement().asString()
                .contains("does not cover www.example.test of server-names; clients asking for it would refuse it");
        Path expired = files.expired("expired", rsa.key(), "www.example.test");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ { certificate = \"" + expired + "\", key = \""
                + rsa.key() + "\" } ]")))).singleElement().asString().contains("expired on 2020-02-01T00:00:00Z");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ " + certificate(rsa) + ", " + certificate(rsa) + " ]"))))
                .singleElement().asString().contains("a second RSA certificate");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ { certificate = \"relative.crt\" } ]"))))
                .singleElement().asString().contains("write an absolute path");
    }

    @Test
    void anEncryptedKeyNeedsItsPasswordFile() {
        Path encrypted = files.encryptedPkcs8(rsa.key(), "s3cret");
        String entry = "{ certificate = \"" + rsa.certificate() + "\", key = \"" + encrypted + "\"";
        assertThat(problems(config(tlsServer("127.0.0.1:8443", "certificates = [ " + entry + " } ]")))).singleElement().asString()
                .contains("the private key is encrypted; name a file with its passphrase in password-file");
        Path passwords = files.write("passwords", "old\ns3cret\n");
        assertThat(LbConfigText.bind(config(tlsServer("127.0.0.1:8443", "certificates = [ " + entry + ", password-file = \""
                + passwords + "\" } ]"))).servers().get(0).tls()).isPresent();
    }

    @Test
    void onlyTls12And13AndKnownSuitesAreOffered() {
        String certs = "certificates = [ " + certificate(rsa) + " ]";
        assertThat(problems(config(tlsServer("127.0.0.1:8443", certs + ", protocols = [\"TLSv1.1\", \"TLSv1.2\"]"))))
                .singleElement().asString().contains("TLSv1.1 is broken (RFC 8996) and not available");
        assertThat(problems(config(tlsServer("127.0.0.1:8443", certs + ", ciphers = [\"TLS_AES_128_GCM_SHA256\", \"RC4-MD5x\"]"))))
                .anySatisfy(p -> assertThat(p).contains("'RC4-MD5x' is not a cipher suite"))
                .anySatisfy(p -> assertThat(p).contains("TLSv1.2 is offered but no TLS 1.2 suite is named"));
        assertThat(problems(config(tlsServer("127.0.0.1:8443", certs + ", certificats = []"))))
                .singleElement().asString().contains("unknown key 'vipgate.lb.servers[0].tls.certificats'; did you mean 'certificates'?");
    }
}
