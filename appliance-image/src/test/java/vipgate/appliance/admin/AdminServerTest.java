package vipgate.appliance.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.Appliance;
import vipgate.appliance.ApplianceConfig;
import vipgate.testkit.Await;
import vipgate.testkit.FreePort;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** The admin API of an appliance running in this JVM, in front of two tiny upstreams. */
@ExtendWith(NoLeaks.class)
class AdminServerTest {
    @TempDir
    Path dir;

    private final List<HttpServer> upstreams = new ArrayList<>();
    private Appliance appliance;

    @AfterEach
    void stop() {
        if (appliance != null) {
            appliance.close();
        }
        upstreams.forEach(s -> s.stop(0));
    }

    private int upstream(String body) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        s.start();
        upstreams.add(s);
        return s.getAddress().getPort();
    }

    static String config(int admin, String token, int listen, int upstream) {
        return configWith(admin, "token = \"" + token + "\"", listen, upstream);
    }

    /** {@code adminKeys}: more keys of vipgate.admin, after its listen address. */
    static String configWith(int admin, String adminKeys, int listen, int upstream) {
        return """
                vipgate {
                  node-name = "unit-node"
                  admin { listen = "127.0.0.1:%d", %s }
                  lb {
                    event-loops = 1
                    upstreams.web { servers = [ { address = "127.0.0.1:%d", weight = 3 } ] }
                    servers = [{ listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = web }] }]
                  }
                }
                """.formatted(admin, adminKeys, upstream, listen);
    }

    private Path start(String text) throws IOException {
        Path file = Files.writeString(dir.resolve("vipgate.conf"), text);
        appliance = Appliance.start(Optional.of(file), ApplianceConfig.load(Optional.of(file)));
        return file;
    }

    /** A request as curl sends it to 127.0.0.1:port, a POST with the header that marks it as no web page's. */
    static RawHttp.Response admin(int port, String method, String path, String authorization) throws IOException {
        return raw(port, method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + (authorization != null ? "Authorization: " + authorization + "\r\n" : "")
                + (method.equals("POST") ? "X-Vipgate-Admin: 1\r\nContent-Length: 0\r\n" : "") + "\r\n");
    }

    /** The status of GET /healthz on a new connection, or -1 when it cannot be read. */
    private static int healthz(int port) {
        try {
            return raw(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    static RawHttp.Response raw(int port, String request) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            return c.send(request).read();
        }
    }

    static String proxied(int port) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            RawHttp.Response r = c.get("/", "site.test");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            return r.bodyText();
        }
    }

    @Test
    void statusDescribesNodeConfigListenersAndUpstreams() throws IOException {
        int adminPort = FreePort.tcp();
        int listen = FreePort.tcp();
        int up = upstream("A\n");
        Path file = start(config(adminPort, "", listen, up));
        assertThat(proxied(listen)).isEqualTo("A\n");

        assertThat(admin(adminPort, "GET", "/events", null).bodyText()).isEqualTo("{\"events\":[]}\n");
        RawHttp.Response r = admin(adminPort, "GET", "/status", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        Config status = ConfigFactory.parseString(r.bodyText()); // JSON is HOCON
        assertThat(status.getString("node")).isEqualTo("unit-node");
        assertThat(status.getString("config")).isEqualTo(file.toString());
        assertThat(status.getString("lb.transport")).isIn("io_uring", "epoll", "nio");
        assertThat(status.getLong("lb.requests")).isEqualTo(1);
        assertThat(status.getLong("lb.retries")).isZero();
        assertThat(status.getLong("lb.error-responses")).isZero();
        assertThat(status.getConfigList("lb.listeners")).singleElement()
                .satisfies(l -> assertThat(l.getString("address")).isEqualTo("127.0.0.1:" + listen));
        Config web = status.getConfigList("lb.upstreams").get(0);
        assertThat(web.getString("name")).isEqualTo("web");
        assertThat(web.getString("algorithm")).isEqualTo("round-robin");
        Config server = web.getConfigList("servers").get(0);
        assertThat(server.getString("address")).isEqualTo("127.0.0.1:" + up);
        assertThat(server.getString("state")).isEqualTo("up");
        assertThat(server.getInt("weight")).isEqualTo(3);
        assertThat(server.getInt("fails")).isZero();
        assertThat(server.getInt("active")).isZero();
        assertThat(server.getBoolean("backup")).isFalse();
        assertThat(server.getBoolean("healthy")).isTrue();

        assertThat(admin(adminPort, "GET", "/healthz", null).bodyText()).isEqualTo("ok\n");
        assertThat(admin(adminPort, "GET", "/nope", null).status()).isEqualTo(404);
        assertThat(admin(adminPort, "GET", "/reload", null).status()).as("reload needs POST").isEqualTo(404);
    }

    @Test
    void reloadAppliesAGoodFileAndRefusesABadOneWithItsLine() throws IOException {
        int adminPort = FreePort.tcp();
        int listen = FreePort.tcp();
        int a = upstream("A\n");
        int b = upstream("B\n");
        Path file = start(config(adminPort, "", listen, a));
        assertThat(proxied(listen)).isEqualTo("A\n");

        Files.writeString(file, config(adminPort, "", listen, b));
        RawHttp.Response ok = admin(adminPort, "POST", "/reload", null);
        assertThat(ok.status()).as(ok.bodyText()).isEqualTo(200);
        assertThat(ok.bodyText()).isEqualTo("reloaded\n");
        assertThat(proxied(listen)).isEqualTo("B\n");

        Files.writeString(file, config(adminPort, "", listen, a).replace("weight = 3", "wieght = 3"));
        RawHttp.Response refused = admin(adminPort, "POST", "/reload", null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.bodyText()).contains("the previous configuration is still running")
                .contains(file + ":6: unknown key 'vipgate.lb.upstreams.web.servers[0].wieght'; did you mean 'weight'?");
        assertThat(proxied(listen)).as("the old config still serves").isEqualTo("B\n");

        Files.writeString(file, "vipgate { lb {");
        refused = admin(adminPort, "POST", "/reload", null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.bodyText()).contains(file + ":1: ");
        assertThat(proxied(listen)).isEqualTo("B\n");
        assertThat(appliance.config().lb().upstreams().get("web").servers().get(0).address().port()).isEqualTo(b);

        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int busy = taken.getLocalPort();
            Files.writeString(file, config(adminPort, "", listen, a).replace("listen = [\"127.0.0.1:" + listen + "\"]",
                    "listen = [\"127.0.0.1:" + listen + "\", \"127.0.0.1:" + busy + "\"]"));
            refused = admin(adminPort, "POST", "/reload", null);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.bodyText()).contains("cannot listen on 127.0.0.1:" + busy);
        }
        assertThat(proxied(listen)).as("a listener that cannot be bound refuses the whole reload").isEqualTo("B\n");
        assertThat(appliance.lb().boundAddresses()).hasSize(1);
    }

    @Test
    void withATokenEveryRequestNeedsTheBearer() throws IOException {
        int adminPort = FreePort.tcp();
        int listen = FreePort.tcp();
        start(config(adminPort, "s3cret", listen, upstream("A\n")));
        for (String auth : new String[] {null, "Bearer wrong", "s3cret", "Basic czNjcmV0", "Bearers3cret", "Bearer s3cret2"}) {
            for (String[] req : new String[][] {{"GET", "/status"}, {"GET", "/healthz"}, {"POST", "/reload"}}) {
                RawHttp.Response r = admin(adminPort, req[0], req[1], auth);
                assertThat(r.status()).as(req[0] + " " + req[1] + " with " + auth).isEqualTo(401);
            }
        }
        assertThat(admin(adminPort, "GET", "/status", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(admin(adminPort, "GET", "/healthz", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(admin(adminPort, "POST", "/reload", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(proxied(listen)).as("the proxy itself needs no token").isEqualTo("A\n");
        // the scheme is case-insensitive (RFC 9110 11.1); curl -H 'authorization: bearer ...' was refused
        for (String auth : new String[] {"bearer s3cret", "BEARER s3cret", "Bearer   s3cret"}) {
            assertThat(admin(adminPort, "GET", "/status", auth).status()).as(auth).isEqualTo(200);
        }
        // the bearer token is itself a header no page can send across origins: a POST needs nothing more
        assertThat(raw(adminPort, "POST /reload HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer s3cret\r\n"
                + "Content-Length: 0\r\n\r\n").status()).isEqualTo(200);
    }

    /**
     * A web page in the operator's browser may POST across origins without a preflight only a "simple" request:
     * text/plain, a form, or no body, and no custom header. Each reloaded the appliance; none does now.
     */
    @Test
    void aCrossOriginSimplePostCannotReload() throws IOException {
        int adminPort = FreePort.tcp();
        int listen = FreePort.tcp();
        int a = upstream("A\n");
        int b = upstream("B\n");
        Path file = start(config(adminPort, "", listen, a));
        Files.writeString(file, config(adminPort, "", listen, b));
        String host = "Host: 127.0.0.1:" + adminPort + "\r\n";
        for (String simple : new String[] {
            "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=1",
            "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 6\r\n\r\n--x--\n",
            "Content-Length: 0\r\n\r\n"}) {
            RawHttp.Response r = raw(adminPort, "POST /reload HTTP/1.1\r\n" + host + simple);
            assertThat(r.status()).as(simple).isEqualTo(403);
            assertThat(r.bodyText()).as(simple).contains("X-Vipgate-Admin: 1");
        }
        assertThat(proxied(listen)).as("nothing was reloaded").isEqualTo("A\n");
        // a foreign Origin is refused even with the header (a page cannot send it, but a same-site one could)
        for (String origin : new String[] {"http://evil.test", "null", "http://127.0.0.1:" + listen, "https://127.0.0.1:" + adminPort}) {
            RawHttp.Response r = raw(adminPort, "POST /reload HTTP/1.1\r\n" + host + "Origin: " + origin
                    + "\r\nX-Vipgate-Admin: 1\r\nContent-Length: 0\r\n\r\n");
            assertThat(r.status()).as(origin).isEqualTo(403);
            assertThat(raw(adminPort, "GET /status HTTP/1.1\r\n" + host + "Origin: " + origin + "\r\n\r\n").status())
                    .as(origin).isEqualTo(403);
        }
        assertThat(proxied(listen)).isEqualTo("A\n");
        RawHttp.Response own = raw(adminPort, "POST /reload HTTP/1.1\r\n" + host + "Origin: http://127.0.0.1:" + adminPort
                + "\r\nX-Vipgate-Admin: 1\r\nContent-Length: 0\r\n\r\n");
        assertThat(own.status()).as(own.bodyText()).isEqualTo(200);
        assertThat(proxied(listen)).isEqualTo("B\n");
    }

    /** DNS rebinding: a page on evil.test, re-resolved to 127.0.0.1, reads /status as same-origin; its Host gives it away. */
    @Test
    void onlyHostsThatNameThisApiAreAnswered() throws IOException {
        int adminPort = FreePort.tcp();
        start(configWith(adminPort, "server-names = [\"LB1.example.net\"]", FreePort.tcp(), upstream("A\n")));
        for (String host : new String[] {"evil.test", "evil.test:" + adminPort, "127.0.0.1.evil.test", "localhost.evil.test",
            "lb1.example.net.evil.test", "999.1.1.1"}) {
            RawHttp.Response r = raw(adminPort, "GET /status HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertThat(r.status()).as(host).isEqualTo(403);
            assertThat(r.bodyText()).as(host).contains("vipgate.admin.server-names");
        }
        for (String host : new String[] {"127.0.0.1:" + adminPort, "127.0.0.1", "localhost:" + adminPort, "LOCALHOST",
            "localhost.", "[::1]:" + adminPort, "10.1.2.3", "lb1.example.net:" + adminPort}) {
            assertThat(raw(adminPort, "GET /status HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status()).as(host).isEqualTo(200);
        }
        assertThat(raw(adminPort, "GET /status HTTP/1.1\r\n\r\n").status()).as("HTTP/1.1 without Host").isEqualTo(400);
        assertThat(raw(adminPort, "GET /status HTTP/1.0\r\n\r\n").status()).as("HTTP/1.0 without Host").isEqualTo(200);
    }

    /**
     * Half-sent requests held admin connections for ever (200 still open after 25 s), before any token check: now
     * each phase has a deadline (closed here within request-timeout = 1s), as nginx's client_header_timeout and
     * client_body_timeout (60 s by default) have.
     */
    @Test
    void slowOrIdleConnectionsAreClosedAtTheirDeadlines() throws IOException {
        int adminPort = FreePort.tcp();
        start(configWith(adminPort, "token = s3cret, request-timeout = 1s, idle-timeout = 3s", FreePort.tcp(), upstream("A\n")));
        Duration slack = Duration.ofSeconds(3);
        try (RawHttp silent = RawHttp.connect(adminPort);
                RawHttp halfHead = RawHttp.connect(adminPort);
                RawHttp halfBody = RawHttp.connect(adminPort);
                RawHttp idle = RawHttp.connect(adminPort);
                RawHttp tooLarge = RawHttp.connect(adminPort)) {
            halfHead.send("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            halfBody.send("POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer s3cret\r\nContent-Length: 10\r\n\r\n12");
            assertThat(idle.get("/healthz", "127.0.0.1").status()).as("before the token check").isEqualTo(401);
            // answered (413) before its body ended: idle once the body is in, like any answered connection
            assertThat(tooLarge.send("POST /reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 70000\r\n\r\n").read()
                    .status()).isEqualTo(413);
            tooLarge.send("x".repeat(70_000));
            long start = System.nanoTime();
            assertThat(silent.closedWithin(slack)).as("no request at all").isTrue();
            assertThat(halfHead.closedWithin(slack)).as("half a head").isTrue();
            assertThat(halfBody.closedWithin(slack)).as("half a body").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            // the answered keep-alive connection waits for its next request for the idle timeout, not the request one
            assertThat(idle.closedWithin(Duration.ofMillis(1000))).as("idle, but within idle-timeout").isFalse();
            assertThat(idle.closedWithin(slack)).as("idle past idle-timeout").isTrue();
            assertThat(tooLarge.closedWithin(slack)).as("idle after an early answer").isTrue();
        }
    }

    /** More connections than vipgate.admin.max-connections are answered 503 at once, and the rest keep working. */
    @Test
    void connectionsBeyondTheCapAreRefused() throws IOException {
        int adminPort = FreePort.tcp();
        start(configWith(adminPort, "max-connections = 4", FreePort.tcp(), upstream("A\n")));
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(RawHttp.connect(adminPort).send("GET /status HTTP/1.1\r\n"));
            }
            // accepted connections are counted on the admin loop: wait until it has seen all four
            Await.require(Duration.ofSeconds(5), "the fifth connection refused", () -> healthz(adminPort) == 503);
            RawHttp.Response refused = raw(adminPort, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(refused.bodyText()).contains("vipgate.admin.max-connections = 4");
            assertThat(refused.closes()).isTrue();
            RawHttp first = held.remove(0);
            first.send("Host: 127.0.0.1\r\n\r\n");
            assertThat(first.read().status()).as("a held connection is still served").isEqualTo(200);
            first.close();
            Await.require(Duration.ofSeconds(5), "a free slot after one closed", () -> healthz(adminPort) == 200);
        } finally {
            held.forEach(RawHttp::close);
        }
    }
}
