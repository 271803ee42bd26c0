package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** nginx's proxy_next_upstream rules: what is retried on the next server and what is not. */
@ExtendWith(NoLeaks.class)
class RetryIT {
    private static TestUpstream ok;
    private static TestUpstream resetting;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        ok = TestUpstream.http((ctx, req) -> TestUpstream.reply(ctx, req, TestUpstream.text(
                io.netty.handler.codec.http.HttpResponseStatus.OK, "ok " + req.method() + " " + req.content().readableBytes() + "\n")));
        resetting = TestUpstream.http(TestUpstream.resetting());
        // max-fails = 0: a failing server is never rested, so every other request meets it first
        String refusedPair = "servers = [ { address = \"127.0.0.1:" + FreePort.refusing() + "\", max-fails = 0 }, "
                + "{ address = \"" + ok.address() + "\", max-fails = 0 } ]";
        String resetPair = "servers = [ { address = \"" + resetting.address() + "\", max-fails = 0 }, "
                + "{ address = \"" + ok.address() + "\", max-fails = 0 } ]";
        lb = LbUnderTest.start("""
                event-loops = 2
                upstreams {
                  refused { %s }
                  reset { %s }
                  reset-ni { next-upstream { non-idempotent = true }, %s }
                }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [
                  { path = "/refused", upstream = refused }, { path = "/reset", upstream = reset },
                  { path = "/ni", upstream = reset-ni } ] } ]
                """.formatted(refusedPair, resetPair, resetPair));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, ok, resetting);
    }

    private static RawHttp.Response post(String path, String body) throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST " + path + " HTTP/1.1\r\nHost: app\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            return c.read();
        }
    }

    @Test
    void getIsRetriedOnTheNextServerWhenTheFirstRefuses() throws IOException {
        long retries = lb.engine.context().retryCount();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            for (int i = 0; i < 10; i++) {
                RawHttp.Response r = c.get("/refused", "app");
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("ok GET 0\n");
            }
        }
        assertThat(lb.engine.context().retryCount() - retries).as("retries").isGreaterThanOrEqualTo(4);
    }

    @Test
    void getIsRetriedOnTheNextServerWhenTheFirstResets() throws IOException {
        int resetsBefore = resetting.requests.get();
        for (int i = 0; i < 10; i++) {
            try (RawHttp c = RawHttp.connect(lb.port)) {
                RawHttp.Response r = c.get("/reset", "app");
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("ok GET 0\n");
            }
        }
        assertThat(resetting.requests.get() - resetsBefore).as("requests the resetting server got").isGreaterThanOrEqualTo(4);
    }

    @Test
    void postIsNotRetriedOnceSentButIsWhenTheConnectionWasRefused() throws IOException {
        // two POSTs alternate between the resetting server and the good one: exactly one is lost with 502
        int resetsBefore = resetting.requests.get();
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RawHttp.Response r = post("/reset", "hello");
            statuses.add(r.status());
            if (r.status() == 200) {
                assertThat(r.bodyText()).isEqualTo("ok POST 5\n");
            }
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 502);
        assertThat(resetting.requests.get() - resetsBefore).isEqualTo(1);

        // refused before anything was sent: always safe to pass on, POST included
        for (int i = 0; i < 4; i++) {
            RawHttp.Response r = post("/refused", "hello");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok POST 5\n");
        }
    }

    @Test
    void postIsRetriedAfterSendingWhenNonIdempotentIsAllowed() throws IOException {
        for (int i = 0; i < 4; i++) {
            RawHttp.Response r = post("/ni", "hello, again");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok POST 12\n");
        }
    }
}
