package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import io.netty.handler.ssl.SslProvider;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.lb.tls.TlsProvider;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;
import vipgate.testkit.SClient;
import vipgate.testkit.TlsFiles;

/**
 * HTTPS at the edge, checked with the real openssl s_client and curl: SNI picks each server's certificate, a
 * dual-certificate server serves RSA-only and ECDSA-only clients, TLS 1.0/1.1 are refused, sessions resume, and the
 * nginx node behind sees X-Forwarded-Proto https.
 */
@ExtendWith(NoLeaks.class)
class TlsIT {
    @TempDir
    static Path dir;
    private static TlsFiles.Pair aRsa;
    private static TlsFiles.Pair aEc;
    private static TlsFiles.Pair bRsa;
    private static Path bundle;
    private static NginxWebNode node;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        TlsFiles files = TlsFiles.in(dir);
        aRsa = files.rsa("a-rsa", "a.example.test");
        aEc = files.ec("a-ec", "a.example.test");
        bRsa = files.rsa("b-rsa", "b.example.test");
        bundle = files.concat("bundle.pem", aRsa.certificate(), aEc.certificate(), bRsa.certificate());
        node = NginxWebNode.builder().body("HTTP WEB NODE 01\n")
                .location("location = /proto { return 200 \"$http_x_forwarded_proto|$http_x_tls\\n\"; }").start();
        String location = """
                locations = [ { path = "/", upstream = web, request-headers {
                  X-Forwarded-Proto = "$scheme", X-TLS = "$ssl_protocol $ssl_cipher $ssl_server_name $ssl_session_reused" } } ]
                """;
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [
                  { listen = "127.0.0.1:${PORT}", server-names = ["a.example.test"], %s
                    tls { handshake-timeout = 2s, certificates = [
                      { certificate = "%s", key = "%s" }, { certificate = "%s", key = "%s" } ] } }
                  { listen = "127.0.0.1:${PORT}", server-names = ["b.example.test"], %s
                    tls { certificates = [ { certificate = "%s", key = "%s" } ] } }
                ]
                """.formatted(node.address(), location, aRsa.certificate(), aRsa.key(), aEc.certificate(), aEc.key(), location,
                bRsa.certificate(), bRsa.key()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, node);
    }

    private ListenerMetrics listener() {
        return lb.engine.metrics().listeners().stream().filter(l -> l.address().equals("127.0.0.1:" + lb.port)).findFirst()
                .orElseThrow();
    }

    @Test
    void boringSslServesUnlessTheRunAsksForTheJdk() {
        // lb's pom runs the Tls*IT twice: as they are, and with -Dio.netty.handler.ssl.noOpenSsl=true
        SslProvider expected = Boolean.getBoolean("io.netty.handler.ssl.noOpenSsl") ? SslProvider.JDK : SslProvider.OPENSSL;
        assertThat(TlsProvider.provider()).isEqualTo(expected);
    }

    @Test
    void sniPicksEachServersCertificateAndNoNameGetsTheDefault() {
        assertThat(SClient.run(lb.port, "b.example.test").subject()).isEqualTo("b.example.test");
        assertThat(SClient.run(lb.port, "a.example.test").subject()).isEqualTo("a.example.test");
        assertThat(SClient.run(lb.port, "B.EXAMPLE.TEST").subject()).isEqualTo("b.example.test");
        SClient.Result none = SClient.run(lb.port, null);
        assertThat(none.handshook()).as(none.toString()).isTrue();
        assertThat(none.subject()).isEqualTo("a.example.test");
        assertThat(SClient.run(lb.port, "unknown.example.test").subject()).isEqualTo("a.example.test");
    }

    @Test
    void rsaOnlyAndEcdsaOnlyClientsBothHandshakeOnTheDualCertificateServer() {
        SClient.Result any = SClient.run(lb.port, "a.example.test");
        assertThat(any.peerSignature()).as(any.toString()).isEqualTo("ECDSA");
        SClient.Result rsa13 = SClient.run(lb.port, "a.example.test", "-tls1_3", "-sigalgs", "rsa_pss_rsae_sha256:rsa_pkcs1_sha256");
        assertThat(rsa13.handshook()).as(rsa13.toString()).isTrue();
        assertThat(rsa13.peerSignature()).isEqualTo("RSA-PSS");
        SClient.Result ec13 = SClient.run(lb.port, "a.example.test", "-tls1_3", "-sigalgs", "ecdsa_secp256r1_sha256");
        assertThat(ec13.peerSignature()).as(ec13.toString()).isEqualTo("ECDSA");
        SClient.Result rsa12 = SClient.run(lb.port, "a.example.test", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
                "-sigalgs", "RSA+SHA256:RSA-PSS+SHA256");
        assertThat(rsa12.handshook()).as(rsa12.toString()).isTrue();
        assertThat(rsa12.protocol()).isEqualTo("TLSv1.2");
        SClient.Result rsaCipher12 = SClient.run(lb.port, "a.example.test", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256");
        assertThat(rsaCipher12.handshook()).as(rsaCipher12.toString()).isTrue();
        SClient.Result ec12 = SClient.run(lb.port, "a.example.test", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
        assertThat(ec12.peerSignature()).as(ec12.toString()).isEqualTo("ECDSA");
    }

    @Test
    void theClientsOrderOfSuitesWinsAsWithNginxsDefault() {
        SClient.Result r = SClient.run(lb.port, "a.example.test", "-tls1_2", "-cipher",
                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256");
        assertThat(r.cipher()).as(r.toString()).isEqualTo("ECDHE-ECDSA-CHACHA20-POLY1305");
    }

    @Test
    void tls10And11AreRefusedAnd12And13Accepted() {
        long failures = listener().tlsHandshakeFailures();
        // SECLEVEL=0 lets this client offer the old versions at all: the refusal is the server's
        for (String old : List.of("-tls1", "-tls1_1")) {
            SClient.Result r = SClient.run(lb.port, "a.example.test", old, "-cipher", "DEFAULT@SECLEVEL=0");
            assertThat(r.handshook()).as(r.toString()).isFalse();
        }
        assertThat(SClient.run(lb.port, "a.example.test", "-tls1_2").protocol()).isEqualTo("TLSv1.2");
        assertThat(SClient.run(lb.port, "a.example.test", "-tls1_3").protocol()).isEqualTo("TLSv1.3");
        Await.require(Duration.ofSeconds(5), "two handshake failures counted",
                () -> listener().tlsHandshakeFailures() >= failures + 2);
    }

    @Test
    void sessionsAreResumedWithTls13TicketsAndTls12() throws IOException {
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Path session = dir.resolve("session" + version);
            SClient.Result first = SClient.run(lb.port, "a.example.test", version, "-sess_out", session.toString());
            assertThat(first.reused()).as(first.toString()).isFalse();
            SClient.Result second = SClient.get(lb.port, "a.example.test", "/proto", version, "-sess_in", session.toString());
            assertThat(second.reused()).as(second.toString()).isTrue();
            // $ssl_session_reused, as the web node was told
            assertThat(second.output()).contains(" a.example.test r");
        }
    }

    @Test
    void curlThroughTheProxyGetsTheNodeAndTheNodeSeesHttps() throws Exception {
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--cacert", bundle.toString(), "--resolve",
                "a.example.test:" + lb.port + ":127.0.0.1", "https://a.example.test:" + lb.port + "/proto",
                "-w", "|%{http_code}").redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes());
        assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(out).matches("https\\|TLSv1\\.3 TLS_[A-Z0-9_]+ a\\.example\\.test \\.\\n\\|200");
    }

    @Test
    void aClientThatSpeaksNoTlsOrStaysSilentIsClosedAndCounted() throws IOException {
        long failures = listener().tlsHandshakeFailures();
        try (RawHttp plain = RawHttp.connect(lb.port)) {
            plain.send("GET / HTTP/1.1\r\nHost: a.example.test\r\n\r\n");
            assertThat(plain.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        // a.example.test's handshake-timeout (2s) is the address's: it is the default server
        try (RawHttp silent = RawHttp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), lb.port), Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            assertThat(silent.closedWithin(Duration.ofSeconds(8))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(6));
        }
        Await.require(Duration.ofSeconds(5), "the failed handshakes counted", () -> listener().tlsHandshakeFailures() >= failures + 2);
    }
}
