package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** Slow or idle clients are cut off as nginx does: 408 for a stalled request, a silent close for an idle connection. */
@ExtendWith(NoLeaks.class)
class ClientTimeoutsIT {
    private static TestUpstream upstream;
    private static LbUnderTest lb;

    @BeforeAll
    static void start() {
        upstream = TestUpstream.http(TestUpstream.answering("ok\n"));
        lb = LbUnderTest.start("""
                event-loops = 1
                client { header-timeout = 500ms, body-timeout = 500ms, keepalive-timeout = 500ms, keepalive-requests = 3 }
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [ { path = "/", upstream = web } ] } ]
                """.formatted(upstream.address()));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, upstream);
    }

    @Test
    void aStalledHeaderBlockGets408() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            long start = System.nanoTime();
            c.send("GET / HTTP/1.1\r\nHost: a\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(400L, 3_000L);
            assertThat(c.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
    }

    @Test
    void aStalledBodyGets408() throws IOException {
        int before = upstream.requests.get();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
        assertThat(upstream.requests.get()).isEqualTo(before);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedSilently() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/", "a").status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(c.closedWithin(Duration.ofSeconds(3))).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(300L);
        }
    }

    @Test
    void theLastRequestAllowedOnAConnectionIsAnsweredWithConnectionClose() throws IOException {
        try (RawHttp c = RawHttp.connect(lb.port)) {
            assertThat(c.get("/", "a").closes()).isFalse();
            assertThat(c.get("/", "a").closes()).isFalse();
            RawHttp.Response third = c.get("/", "a");
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.closes()).isTrue();
            assertThat(c.closedWithin(Duration.ofSeconds(2))).isTrue();
        }
    }
}
