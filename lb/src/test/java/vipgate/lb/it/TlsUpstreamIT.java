package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.lb.metrics.ServerMetrics;
import vipgate.lb.metrics.UpstreamFailure;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;
import vipgate.testkit.TlsFiles;

/**
 * HTTPS upstreams (nginx proxy_pass https://) against real nginx-light {@code listen ssl} nodes: verified servers
 * answer, checked for the configured server-name (sent in SNI) or, without one, for their IP address; a certificate
 * from another CA or for another name is a 502 with the reason in the error log and a TLS failure in the server's
 * metrics; a node that wants a client certificate (ssl_verify_client on) gets vipgate's; and new connections resume
 * the TLS session of their own server, also when two servers share the port and the name.
 */
@ExtendWith(NoLeaks.class)
class TlsUpstreamIT {
    @TempDir
    static Path dir;
    private static NginxWebNode https;
    /** The same site on another address and the same port: a second box behind one name. */
    private static NginxWebNode twin;
    private static NginxWebNode byIp;
    private static NginxWebNode mtls;
    private static LbUnderTest lb;
    private static final List<String> errorLog = new CopyOnWriteArrayList<>();
    private static final Logger EXCHANGE_LOG = Logger.getLogger("vipgate.lb.proxy.ProxyExchange");
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            errorLog.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() {
        TlsFiles files = TlsFiles.in(dir);
        // a name only: a check of the address instead of server-name would fail
        TlsFiles.Pair backend = files.ec("backend", "backend.example.test");
        TlsFiles.Pair other = files.ec("other", "backend.example.test");
        TlsFiles.Pair ip = files.ec("ip", "127.0.0.1");
        TlsFiles.Pair mtlsNode = files.rsa("mtls-node", "mtls.example.test");
        TlsFiles.Pair client = files.rsa("client", "vipgate.example.test");
        String[] site = {"ssl_certificate " + backend.certificate() + ";", "ssl_certificate_key " + backend.key() + ";"};
        https = NginxWebNode.builder().body("HTTPS NODE $server_addr $ssl_server_name $ssl_session_reused\n").ssl(site).start();
        twin = NginxWebNode.builder().loopback("127.0.0.2").port(https.port())
                .body("HTTPS NODE $server_addr $ssl_server_name $ssl_session_reused\n").ssl(site).start();
        byIp = NginxWebNode.builder().body("HTTPS NODE $server_addr $ssl_server_name $ssl_session_reused\n")
                .ssl("ssl_certificate " + ip.certificate() + ";", "ssl_certificate_key " + ip.key() + ";").start();
        mtls = NginxWebNode.builder().body("MTLS NODE $ssl_client_s_dn\n")
                .ssl("ssl_certificate " + mtlsNode.certificate() + ";", "ssl_certificate_key " + mtlsNode.key() + ";",
                        "ssl_verify_client on;", "ssl_client_certificate " + client.certificate() + ";").start();
        EXCHANGE_LOG.addHandler(CAPTURE);
        // keepalive.idle = 0: every request makes a new connection (and handshake) to its server
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams {
                  byname { servers = [ { address = "%1$s" }, { address = "%8$s" } ], keepalive.idle = 0
                    tls { ca = "%2$s", server-name = "backend.example.test" } }
                  byip { servers = [ { address = "%9$s" } ], tls { ca = "%10$s" } }
                  wrongca { servers = [ { address = "%1$s" } ], tls { ca = "%3$s", server-name = "backend.example.test" } }
                  wrongname { servers = [ { address = "%1$s" } ], tls { ca = "%2$s", server-name = "www.example.test" } }
                  unverified { servers = [ { address = "%1$s" } ], tls { verify = false } }
                  mtls { servers = [ { address = "%4$s" } ]
                    tls { ca = "%5$s", server-name = "mtls.example.test", certificate = "%6$s", key = "%7$s" } }
                  nocert { servers = [ { address = "%4$s" } ], tls { ca = "%5$s", server-name = "mtls.example.test" } }
                }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [
                  { path = "/byname", upstream = byname }, { path = "/byip", upstream = byip }
                  { path = "/wrongca", upstream = wrongca }, { path = "/wrongname", upstream = wrongname }
                  { path = "/unverified", upstream = unverified }
                  { path = "/mtls", upstream = mtls }, { path = "/nocert", upstream = nocert } ] } ]
                """.formatted(https.address(), backend.certificate(), other.certificate(), mtls.address(),
                mtlsNode.certificate(), client.certificate(), client.key(), twin.address(), byIp.address(), ip.certificate()));
    }

    @AfterAll
    static void stop() {
        EXCHANGE_LOG.removeHandler(CAPTURE);
        Cleanup.close(lb, https, twin, byIp, mtls);
    }

    private static RawHttp.Response get(String path) throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            return c.get(path, "vipgate.example.test");
        }
    }

    private static ServerMetrics server(String upstream) {
        return lb.engine.metrics().upstreams().stream().filter(u -> u.name().equals(upstream)).findFirst().orElseThrow()
                .servers().get(0);
    }

    @Test
    void serversCheckedForTheirServerNameEachResumeTheirOwnSession() throws IOException {
        List<String> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            RawHttp.Response r = get("/byname");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            bodies.add(r.bodyText());
        }
        // round robin over the two; from each one's second connection on, its own session is resumed (nginx's
        // $ssl_session_reused "r"), which a cache keyed by the shared name and port would not do
        assertThat(bodies).containsExactly("HTTPS NODE 127.0.0.1 backend.example.test .\n",
                "HTTPS NODE 127.0.0.2 backend.example.test .\n", "HTTPS NODE 127.0.0.1 backend.example.test r\n",
                "HTTPS NODE 127.0.0.2 backend.example.test r\n", "HTTPS NODE 127.0.0.1 backend.example.test r\n",
                "HTTPS NODE 127.0.0.2 backend.example.test r\n");
        assertThat(server("byname").failures(UpstreamFailure.TLS)).isZero();
    }

    @Test
    void withoutAServerNameTheCertificateIsCheckedForTheAddressAndNoSniIsSent() throws IOException {
        RawHttp.Response r = get("/byip");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        // an IP address is never sent in SNI: nginx's $ssl_server_name is empty
        assertThat(r.bodyText()).startsWith("HTTPS NODE 127.0.0.1  ");
    }

    @Test
    void aCertificateOfAnotherCaOrForAnotherNameIsA502WithTheReasonLogged() throws IOException {
        // the trust manager's words, on BoringSSL after its "General OpenSslEngine problem"
        for (List<String> c : List.of(List.of("wrongca", "PKIX path"), List.of("wrongname", "No subject alternative"))) {
            String upstream = c.get(0);
            errorLog.clear();
            RawHttp.Response r = get("/" + upstream);
            assertThat(r.status()).as(upstream + ": " + r).isEqualTo(502);
            assertThat(errorLog).as(upstream).anySatisfy(line -> assertThat(line)
                    .startsWith("upstream " + https.address() + " failed the TLS handshake while proxying GET /" + upstream + ": ")
                    .contains(c.get(1)));
            assertThat(server(upstream).failures(UpstreamFailure.TLS)).as(upstream).isEqualTo(1);
        }
    }

    @Test
    void verifyFalseTakesAnyCertificate() throws IOException {
        assertThat(get("/unverified").status()).isEqualTo(200);
    }

    @Test
    void aServerAskingForAClientCertificateGetsVipgatesAndWithoutOneRefuses() throws IOException {
        RawHttp.Response r = get("/mtls");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("MTLS NODE CN=vipgate.example.test\n");
        // nginx answers a missing client certificate with its 400 page, which vipgate passes on
        RawHttp.Response refused = get("/nocert");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.bodyText()).contains("No required SSL certificate was sent");
    }
}
