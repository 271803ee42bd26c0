package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.HttpLoad;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.RawHttp;

/**
 * Reloads of the real appliance (POST /reload and SIGHUP) while keep-alive clients hammer it: not one request
 * may fail, new requests follow the new config at once (also on connections opened before), listeners are
 * added and removed, and a broken file is refused with its line while the running config keeps serving.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class ReloadUnderLoadIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private NginxWebNode a;
    private NginxWebNode b;
    private ApplianceProcess proxy;
    private HttpLoad load;

    @AfterEach
    void cleanUp() {
        try {
            if (load != null) {
                load.stop();
            }
        } catch (AssertionError ignored) {
            // the test already failed or reports the load's outcome itself
        } finally {
            Cleanup.close(proxy, a, b);
        }
    }

    @Test
    void reloadsUnderLoadWithoutAFailedRequest() throws IOException {
        a = NginxWebNode.start("NODE A\n");
        b = NginxWebNode.start("NODE B\n");
        int admin = FreePort.tcp();
        int p1 = FreePort.tcp();
        int p2 = FreePort.tcp();
        int p3 = FreePort.tcp();
        Path file = dir.resolve("vipgate.conf");
        ItSupport.write(file, ItSupport.config(admin, List.of(p1), List.of(a.address()), "", ""));
        proxy = ItSupport.run(file, admin, "-Xmx256m", "-Dio.netty.leakDetection.level=paranoid");

        // a keep-alive connection opened before any reload, used throughout
        try (RawHttp kept = RawHttp.connect(p1)) {
            assertThat(kept.get("/", "it.test").bodyText()).isEqualTo("NODE A\n");

            load = HttpLoad.get(p1, "/").threads(4).duration(Duration.ofSeconds(90)).start();
            awaitProgress(200);

            // 1. POST /reload: upstream A -> B and a second listener
            ItSupport.write(file, ItSupport.config(admin, List.of(p1, p2), List.of(b.address()), "", ""));
            RawHttp.Response reloaded = ItSupport.admin(admin, "POST", "/reload");
            assertThat(reloaded.status()).as(reloaded.bodyText()).isEqualTo(200);
            assertThat(kept.get("/", "it.test").bodyText()).as("kept-alive connection after the reload").isEqualTo("NODE B\n");
            assertThat(ItSupport.get(p1, "/")).isEqualTo("NODE B\n");
            assertThat(ItSupport.get(p2, "/")).as("the new listener").isEqualTo("NODE B\n");
            awaitProgress(200);

            // 2. SIGHUP: back to A, third listener instead of the second
            ItSupport.write(file, ItSupport.config(admin, List.of(p1, p3), List.of(a.address()), "", ""));
            proxy.hangup();
            Await.require(WAIT, "the SIGHUP reload to open 127.0.0.1:" + p3, () -> FreePort.accepts(p3));
            assertThat(kept.get("/", "it.test").bodyText()).isEqualTo("NODE A\n");
            assertThat(ItSupport.get(p3, "/")).isEqualTo("NODE A\n");
            assertThat(FreePort.awaitRefusing(p2, WAIT)).as("the dropped listener closes").isTrue();
            awaitProgress(200);

            // 3. a broken file: refused with its line by POST /reload and by SIGHUP; A keeps serving
            String broken = ItSupport.config(admin, List.of(p1, p3), List.of(b.address()), "", "wieght = 2");
            ItSupport.write(file, broken);
            int line = lineOf(broken, "wieght = 2");
            RawHttp.Response refused = ItSupport.admin(admin, "POST", "/reload");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.bodyText()).contains("the previous configuration is still running")
                    .contains(file + ":" + line + ": unknown key 'vipgate.lb.upstreams.web.wieght'");
            proxy.hangup();
            Await.require(WAIT, "the refused SIGHUP reload in the log",
                    () -> proxy.log().split("reload refused", -1).length - 1 >= 2);
            assertThat(kept.get("/", "it.test").bodyText()).isEqualTo("NODE A\n");
            assertThat(ItSupport.get(p3, "/")).isEqualTo("NODE A\n");
            awaitProgress(200);

            // 4. a valid file whose new listener cannot be bound: refused as a whole, nothing changes
            try (ServerSocket taken = new ServerSocket()) {
                taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int busy = taken.getLocalPort();
                ItSupport.write(file, ItSupport.config(admin, List.of(p1, busy), List.of(b.address()), "", ""));
                refused = ItSupport.admin(admin, "POST", "/reload");
                assertThat(refused.status()).isEqualTo(400);
                assertThat(refused.bodyText()).contains("cannot listen on 127.0.0.1:" + busy);
                proxy.hangup();
                Await.require(WAIT, "the refused SIGHUP reload in the log",
                        () -> proxy.log().split("reload refused", -1).length - 1 >= 4);
            }
            assertThat(kept.get("/", "it.test").bodyText()).isEqualTo("NODE A\n");
            assertThat(ItSupport.get(p3, "/")).as("p3 stays open").isEqualTo("NODE A\n");
            awaitProgress(200);

            HttpLoad.Result result = load.stop();
            load = null;
            System.out.println("ReloadUnderLoadIT: " + result);
            assertThat(result.failures()).as(result.toString()).isZero();
            assertThat(result.errors()).as(result.toString()).isEmpty();
            assertThat(result.byBody().keySet()).as(result.toString()).containsExactlyInAnyOrder("NODE A", "NODE B");
            assertThat(result.total()).isGreaterThanOrEqualTo(1000);
        }

        Config status = ConfigFactory.parseString(ItSupport.admin(admin, "GET", "/status").bodyText());
        assertThat(status.getConfigList("lb.listeners")).extracting(c -> c.getString("address"))
                .containsExactlyInAnyOrder("127.0.0.1:" + p1, "127.0.0.1:" + p3);
        assertThat(status.getConfigList("lb.upstreams").get(0).getConfigList("servers")).extracting(c -> c.getString("address"))
                .containsExactly(a.address());
        assertThat(status.getLong("lb.error-responses")).isZero();

        assertThat(proxy.stop(Duration.ofSeconds(30))).as("exit status after SIGTERM").isZero();
        ItSupport.assertCleanLog(proxy);
    }

    /** Waits until the load completed {@code n} more requests: every client thread has moved on since. */
    private void awaitProgress(long n) {
        long target = load.completed() + n;
        Await.require(WAIT, () -> "load progress to " + target + " requests, at " + load.completed(),
                () -> load.completed() >= target);
    }

    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException(needle);
    }
}
