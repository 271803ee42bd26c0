package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.lb.tls.TlsProvider;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.SClient;
import vipgate.testkit.TlsFiles;

/** The settings that turn defaults off: no resumption at all, and the server's order of suites. */
@ExtendWith(NoLeaks.class)
class TlsOptionsIT {
    @TempDir
    static Path dir;
    private static NginxWebNode node;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        TlsFiles.Pair ec = TlsFiles.in(dir).ec("ec", "www.example.test");
        node = NginxWebNode.start("HTTP WEB NODE 01\n");
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [ { listen = "127.0.0.1:${PORT}", server-names = ["www.example.test"]
                  locations = [ { path = "/", upstream = web } ]
                  tls { prefer-server-ciphers = true, session-tickets = false, session-cache = 0
                    certificates = [ { certificate = "%s", key = "%s" } ] } } ]
                """.formatted(node.address(), ec.certificate(), ec.key()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, node);
    }

    @Test
    void withoutTicketsAndCacheNoSessionIsResumed() {
        if (TlsProvider.provider() == SslProvider.JDK) {
            // the fallback cannot turn them off per server (reference.conf, ServerTls's warning): it still resumes
            Path s13 = dir.resolve("jdk13");
            SClient.run(lb.port, "www.example.test", "-tls1_3", "-sess_out", s13.toString());
            assertThat(SClient.run(lb.port, "www.example.test", "-tls1_3", "-sess_in", s13.toString()).reused()).isTrue();
            return;
        }
        SClient.Result tls13 = SClient.run(lb.port, "www.example.test", "-tls1_3", "-sess_out", dir.resolve("s13").toString());
        assertThat(tls13.handshook()).as(tls13.toString()).isTrue();
        assertThat(tls13.output()).as("no TLS 1.3 ticket sent").doesNotContain("New Session Ticket");
        Path s12 = dir.resolve("s12");
        SClient.Result first = SClient.run(lb.port, "www.example.test", "-tls1_2", "-sess_out", s12.toString());
        assertThat(first.handshook()).as(first.toString()).isTrue();
        // no session id, no ticket: openssl has nothing resumable to save
        assertThat(first.output()).as(first.toString()).doesNotContain("TLS session ticket:");
        assertThat(Files.exists(s12)).as("a resumable TLS 1.2 session").isFalse();
    }

    @Test
    void theServersOrderOfSuitesWins() {
        // the default list has AES-128-GCM before ChaCha20; the client asks the other way round
        SClient.Result r = SClient.run(lb.port, "www.example.test", "-tls1_2", "-cipher",
                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256");
        assertThat(r.cipher()).as(r.toString()).isEqualTo("ECDHE-ECDSA-AES128-GCM-SHA256");
    }
}
