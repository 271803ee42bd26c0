package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vipgate.lb.metrics.ListenerMetrics;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.Haproxy;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;
import vipgate.testkit.TlsFiles;

/**
 * PROXY protocol both ways, with real peers on loopback addresses of their own (all of 127/8 is local): a client at
 * 127.0.0.9 -> HAProxy 2.6 ({@code send-proxy} / {@code send-proxy-v2}, from 127.0.0.2) -> vipgate
 * ({@code proxy-protocol}, trusting 127.0.0.2 only) -> nginx ({@code listen ... proxy_protocol}), which answers
 * with its {@code $proxy_protocol_addr:$proxy_protocol_port} and the headers vipgate set from {@code $remote_addr};
 * also to nginx {@code listen ... ssl proxy_protocol} over an HTTPS upstream.
 */
@ExtendWith(NoLeaks.class)
class ProxyProtocolIT {
    private static final String CLIENT = "127.0.0.9";
    private static final String BALANCER = "127.0.0.2";
    private static NginxWebNode backend;
    private static NginxWebNode tlsBackend;
    @TempDir
    static Path dir;
    private static LbUnderTest lb;
    private static Haproxy haproxy;
    private static int sendProxyPort;
    private static int sendProxyV2Port;

    @BeforeAll
    static void start() {
        String answer = "pp=$proxy_protocol_addr:$proxy_protocol_port real=$http_x_real_ip seen=$http_x_pp\n";
        backend = NginxWebNode.builder().proxyProtocol().body(answer).start();
        TlsFiles.Pair certificate = TlsFiles.in(dir).ec("backend", "127.0.0.1");
        tlsBackend = NginxWebNode.builder().proxyProtocol().body("tls " + answer)
                .ssl("ssl_certificate " + certificate.certificate() + ";", "ssl_certificate_key " + certificate.key() + ";").start();
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams.v1 { servers = [ { address = "%1$s" } ], send-proxy = v1 }
                upstreams.v2 { servers = [ { address = "%1$s" } ], send-proxy = v2 }
                upstreams.tls { servers = [ { address = "%3$s" } ], send-proxy = v2, tls { ca = "%4$s" } }
                servers = [ {
                  listen = "127.0.0.1:${PORT}"
                  proxy-protocol = true
                  real-ip { from = ["%2$s/32"], header = proxy_protocol }
                  locations = [
                    { path = "/v1", upstream = v1, request-headers { X-Real-IP = "$remote_addr:$remote_port", X-PP = "$proxy_protocol_addr:$proxy_protocol_port" } }
                    { path = "/v2", upstream = v2, request-headers { X-Real-IP = "$remote_addr:$remote_port", X-PP = "$proxy_protocol_addr:$proxy_protocol_port" } }
                    { path = "/tls", upstream = tls, request-headers { X-Real-IP = "$remote_addr:$remote_port", X-PP = "$proxy_protocol_addr:$proxy_protocol_port" } }
                  ]
                } ]
                """.formatted(backend.address(), BALANCER, tlsBackend.address(), certificate.certificate()));
        sendProxyPort = FreePort.tcp();
        sendProxyV2Port = FreePort.tcp();
        haproxy = Haproxy.start("""
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend one
                    bind 127.0.0.1:%1$d
                    default_backend one
                backend one
                    server vg 127.0.0.1:%3$d send-proxy source %4$s
                frontend two
                    bind 127.0.0.1:%2$d
                    default_backend two
                backend two
                    server vg 127.0.0.1:%3$d send-proxy-v2 source %4$s
                """.formatted(sendProxyPort, sendProxyV2Port, lb.port, BALANCER), sendProxyPort, sendProxyV2Port);
    }

    @AfterAll
    static void stop() {
        Cleanup.close(haproxy, lb, backend, tlsBackend);
    }

    private static RawHttp connectFrom(String source, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        return RawHttp.over(s);
    }

    private static ListenerMetrics listener() {
        return lb.engine.context().metrics().listeners().get(0);
    }

    @ParameterizedTest(name = "HAProxy {0}")
    @ValueSource(strings = {"send-proxy", "send-proxy-v2"})
    void theClientIsNamedFromHaproxyThroughVipgateToTheBackend(String haproxyOption) throws IOException {
        int front = haproxyOption.equals("send-proxy") ? sendProxyPort : sendProxyV2Port;
        try (RawHttp first = connectFrom(CLIENT, front); RawHttp second = connectFrom(CLIENT, front)) {
            String one = CLIENT + ":" + first.socket().getLocalPort();
            String two = CLIENT + ":" + second.socket().getLocalPort();
            for (String path : new String[] {"/v1", "/v2", "/v1", "/v2"}) {
                // alternating clients: a kept-alive upstream connection must never carry one client's request
                // under the other's header
                for (RawHttp c : new RawHttp[] {first, second}) {
                    String who = c == first ? one : two;
                    RawHttp.Response r = c.get(path, "pp.test");
                    assertThat(r.status()).as(path + " " + r).isEqualTo(200);
                    assertThat(r.bodyText()).as(path).isEqualTo("pp=" + who + " real=" + who + " seen=" + who + "\n");
                }
            }
        }
    }

    @Test
    void theHeaderGoesInClearBeforeATlsUpstreamsHandshake() throws IOException {
        try (RawHttp c = connectFrom(CLIENT, sendProxyPort)) {
            String who = CLIENT + ":" + c.socket().getLocalPort();
            for (int i = 0; i < 2; i++) {
                RawHttp.Response r = c.get("/tls", "pp.test");
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("tls pp=" + who + " real=" + who + " seen=" + who + "\n");
            }
        }
    }

    @Test
    void anUntrustedSenderIsClosedBeforeItsHeaderIsRead() throws IOException {
        long refused = listener().proxyProtocolRefusals();
        try (RawHttp spoof = connectFrom(CLIENT, lb.port)) {
            spoof.send("PROXY TCP4 192.0.2.1 127.0.0.1 1234 80\r\nGET /v1 HTTP/1.1\r\nHost: pp.test\r\n\r\n");
            assertThat(spoof.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(listener().proxyProtocolRefusals()).isEqualTo(refused + 1);
    }

    @Test
    void aTrustedSenderWithoutAHeaderIsClosed() throws IOException {
        long refused = listener().proxyProtocolRefusals();
        try (RawHttp plain = connectFrom(BALANCER, lb.port)) {
            plain.send("GET /v1 HTTP/1.1\r\nHost: pp.test\r\n\r\n");
            assertThat(plain.closedWithin(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(listener().proxyProtocolRefusals()).isEqualTo(refused + 1);
    }

    @Test
    void aTrustedSenderNamesOnlyTheClientItsHeaderGives() throws IOException {
        try (RawHttp balancer = connectFrom(BALANCER, lb.port)) {
            balancer.send("PROXY TCP4 198.51.100.7 127.0.0.1 40000 80\r\n");
            RawHttp.Response r = balancer.send("GET /v1 HTTP/1.1\r\nHost: pp.test\r\nX-Real-IP: 10.6.6.6\r\n\r\n").read();
            assertThat(r.bodyText()).isEqualTo("pp=198.51.100.7:40000 real=198.51.100.7:40000 seen=198.51.100.7:40000\n");
        }
    }
}
