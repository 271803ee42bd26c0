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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.Appliance;
import vipgate.appliance.ApplianceConfig;
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
        return """
                vipgate {
                  node-name = "unit-node"
                  admin { listen = "127.0.0.1:%d", token = "%s" }
                  lb {
                    event-loops = 1
                    upstreams.web { servers = [ { address = "127.0.0.1:%d", weight = 3 } ] }
                    servers = [{ listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = web }] }]
                  }
                }
                """.formatted(admin, token, upstream, listen);
    }

    private Path start(String text) throws IOException {
        Path file = Files.writeString(dir.resolve("vipgate.conf"), text);
        appliance = Appliance.start(Optional.of(file), ApplianceConfig.load(Optional.of(file)));
        return file;
    }

    static RawHttp.Response admin(int port, String method, String path, String authorization) throws IOException {
        try (RawHttp c = RawHttp.connect(port)) {
            c.send(method + " " + path + " HTTP/1.1\r\nHost: admin\r\n"
                    + (authorization != null ? "Authorization: " + authorization + "\r\n" : "")
                    + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n");
            return c.read();
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
        for (String auth : new String[] {null, "Bearer wrong", "s3cret", "Basic czNjcmV0", "bearer s3cret", "Bearer s3cret2"}) {
            for (String[] req : new String[][] {{"GET", "/status"}, {"GET", "/healthz"}, {"POST", "/reload"}}) {
                RawHttp.Response r = admin(adminPort, req[0], req[1], auth);
                assertThat(r.status()).as(req[0] + " " + req[1] + " with " + auth).isEqualTo(401);
            }
        }
        assertThat(admin(adminPort, "GET", "/status", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(admin(adminPort, "GET", "/healthz", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(admin(adminPort, "POST", "/reload", "Bearer s3cret").status()).isEqualTo(200);
        assertThat(proxied(listen)).as("the proxy itself needs no token").isEqualTo("A\n");
    }
}
