package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.balance.Peer;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.HttpLoad;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** Two real nginx web nodes behind the proxy: balancing, a node dying under load, and its return. */
@ExtendWith(NoLeaks.class)
class RoundRobinFailoverIT {
    private static final String NODE_01 = "HTTP WEB NODE 01";
    private static final String NODE_02 = "HTTP WEB NODE 02";

    private static NginxWebNode node1;
    private static NginxWebNode node2;

    @BeforeAll
    static void startNodes() {
        node1 = NginxWebNode.start(NODE_01 + "\n");
        node2 = NginxWebNode.start(NODE_02 + "\n");
    }

    @AfterAll
    static void stopNodes() {
        Cleanup.close(node1, node2);
    }

    /** The servers block of both nodes, each with {@code serverOptions}. */
    private static String twoNodes(String serverOptions) {
        return "servers = [ { address = \"" + node1.address() + "\"" + serverOptions + " }, { address = \""
                + node2.address() + "\"" + serverOptions + " } ]";
    }

    /**
     * Runs {@code threads} clients through the proxy and, once more than {@code warmUp} requests completed,
     * {@code outage}, which stops node 02 and starts it again. Node 02 is running afterwards, whatever happened.
     */
    private static HttpLoad.Result underLoad(LbUnderTest lb, int threads, long warmUp, Consumer<HttpLoad> outage) {
        HttpLoad load = HttpLoad.get(lb.port, "/").threads(threads).duration(Duration.ofSeconds(30)).start();
        HttpLoad.Result result;
        try {
            Await.require(Duration.ofSeconds(10), "load under way", () -> load.completed() > warmUp);
            outage.accept(load);
        } finally {
            if (!node2.isRunning()) {
                node2.start();
            }
            result = load.stop();
        }
        return result;
    }

    private static void awaitLoadWithoutNode2(HttpLoad load, long more) {
        long mark = load.completed();
        Await.require(Duration.ofSeconds(10), "load going on without node 02", () -> load.completed() > mark + more);
    }

    /** Seed 002: weight 1 each, so requests alternate 01, 02, 01, 02 on one connection and across new ones. */
    @Test
    void equalWeightsAlternateExactly() throws IOException {
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.simple(twoNodes("")))) {
            List<String> answers = new ArrayList<>();
            try (RawHttp c = RawHttp.connect(lb.port)) {
                for (int i = 0; i < 8; i++) {
                    RawHttp.Response r = c.get("/", "web.example");
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.closes()).isFalse();
                    answers.add(r.bodyText().trim());
                }
            }
            for (int i = 0; i < 6; i++) {
                try (RawHttp c = RawHttp.connect(lb.port)) {
                    answers.add(c.get("/", "web.example").bodyText().trim());
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                expected.add(i % 2 == 0 ? NODE_01 : NODE_02);
            }
            assertThat(answers).containsExactlyElementsOf(expected);
        }
    }

    /**
     * A node SIGKILLed while clients hammer the proxy costs them nothing (every response a 200); once it is
     * back, traffic returns to it within fail-timeout.
     */
    @Test
    void aNodeKilledUnderLoadCostsNoRequestAndGetsTrafficBackAfterRestart() throws IOException {
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.simple(twoNodes(", max-fails = 1, fail-timeout = 1s")))) {
            HttpLoad.Result result = underLoad(lb, 4, 300, load -> {
                node2.stop();
                awaitLoadWithoutNode2(load, 500);
                node2.start();
                // within fail-timeout (1s) plus margin the restarted node answers again
                Await.require(Duration.ofSeconds(6), "node 02 answering through the proxy again", () -> answers(lb.port, NODE_02));
            });
            assertThat(result.failures()).as(result.toString()).isZero();
            assertThat(result.errors()).as(result.toString()).isEmpty();
            assertThat(result.byBody()).as(result.toString()).containsKeys(NODE_01, NODE_02);
            assertThat(result.total()).isGreaterThan(800);
        }
    }

    /**
     * With passive checks off (max-fails = 0) an active HTTP check takes the dead node out (retries cover the
     * requests until then) and puts it back once it answers again.
     */
    @Test
    void anActiveHealthCheckTakesAKilledNodeOutAndBringsItBack() throws IOException {
        String upstream = "health-check { type = http, path = \"/\", interval = 500ms, timeout = 500ms, rise = 1, fall = 2 }\n"
                + twoNodes(", max-fails = 0");
        try (LbUnderTest lb = LbUnderTest.start(LbUnderTest.simple(upstream))) {
            Peer peer2 = lb.engine.context().routing().upstreams().get("web").peers().get(1);
            HttpLoad.Result result = underLoad(lb, 3, 200, load -> {
                node2.stop();
                Await.require(Duration.ofSeconds(5), "the health check marking node 02 down", () -> !peer2.isHealthy());
                awaitLoadWithoutNode2(load, 300);
                node2.start();
                Await.require(Duration.ofSeconds(5), "the health check marking node 02 up", peer2::isHealthy);
                Await.require(Duration.ofSeconds(5), "node 02 answering through the proxy again", () -> answers(lb.port, NODE_02));
            });
            assertThat(result.failures()).as(result.toString()).isZero();
            assertThat(result.byBody()).as(result.toString()).containsKeys(NODE_01, NODE_02);
        }
    }

    private static boolean answers(int port, String node) {
        try (RawHttp c = RawHttp.connect(port)) {
            for (int i = 0; i < 4; i++) {
                RawHttp.Response r = c.get("/", "web.example");
                assertThat(r.status()).as("status while waiting for " + node).isEqualTo(200);
                if (r.bodyText().trim().equals(node)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new AssertionError("request failed while waiting for " + node, e);
        }
    }
}
