package vipgate.stream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;

/** Real redis servers behind the stream engine, spoken to by a RESP client and by redis-cli. */
@ExtendWith(NoLeaks.class)
class RedisThroughStreamIT {

    private static String upstream(String algorithm, String... servers) {
        return "upstreams.redis { algorithm = " + algorithm + ", servers = [ " + String.join(", ", servers) + " ] }\n"
                + "servers = [ { listen = \"LISTEN\", proxy-pass = redis } ]";
    }

    @Test
    void pingAndSetGetPassThrough() throws Exception {
        RedisServer redis = null;
        StreamUnderTest stream = null;
        try {
            redis = RedisServer.start();
            stream = StreamUnderTest.start(upstream("round-robin", "{ address = \"" + redis.address() + "\" }"));
            try (Socket s = new Socket()) {
                s.connect(stream.address(), 5000);
                s.setSoTimeout(10_000);
                assertThat(RedisServer.command(s, "PING")).isEqualTo("+PONG");
                assertThat(RedisServer.command(s, "SET", "greeting", "hello through vipgate")).isEqualTo("+OK");
                assertThat(RedisServer.command(s, "GET", "greeting")).isEqualTo("hello through vipgate");
            }
            // the real client too
            Process cli = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(stream.port), "GET", "greeting")
                    .redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(out.trim()).isEqualTo("hello through vipgate");
            StreamUnderTest s = stream;
            Await.require(Duration.ofSeconds(5), "sessions to end", () -> s.engine.sessions() == 0);
        } finally {
            Cleanup.close(stream, redis);
        }
    }

    @Test
    void aThousandNewConnectionsAreBalancedByWeight() throws Exception {
        RedisServer heavy = null;
        RedisServer light = null;
        StreamUnderTest stream = null;
        try {
            heavy = RedisServer.start();
            light = RedisServer.start();
            stream = StreamUnderTest.start(upstream("round-robin", "{ address = \"" + heavy.address() + "\", weight = 3 }",
                    "{ address = \"" + light.address() + "\" }"));
            long heavyBefore = heavy.connectionsReceived();
            long lightBefore = light.connectionsReceived();
            for (int i = 0; i < 1000; i++) {
                try (Socket s = new Socket()) {
                    s.connect(stream.address(), 5000);
                    s.setSoTimeout(10_000);
                    assertThat(RedisServer.command(s, "PING")).as("connection " + i).isEqualTo("+PONG");
                }
            }
            // each reading counts its own connection
            assertThat(heavy.connectionsReceived() - heavyBefore - 1).isEqualTo(750);
            assertThat(light.connectionsReceived() - lightBefore - 1).isEqualTo(250);
            // the engine's own counters agree
            assertThat(stream.engine.metrics().server("redis", heavy.address()).sessions()).isEqualTo(750);
            assertThat(stream.engine.metrics().server("redis", light.address()).sessions()).isEqualTo(250);
            assertThat(stream.engine.metrics().server("redis", light.address()).connectLatency().getTotalCount()).isEqualTo(250);
            assertThat(stream.engine.metrics().listener("127.0.0.1:" + stream.port).sessionsAccepted()).isEqualTo(1000);
        } finally {
            Cleanup.close(stream, heavy, light);
        }
    }

    @Test
    void aServerKilledMidRunCostsNoClientAnError() throws Exception {
        RedisServer survivor = null;
        RedisServer victim = null;
        StreamUnderTest stream = null;
        try {
            survivor = RedisServer.start();
            victim = RedisServer.start();
            stream = StreamUnderTest.start(upstream("least-conn", "{ address = \"" + survivor.address() + "\" }",
                    "{ address = \"" + victim.address() + "\" }"));
            long before = survivor.connectionsReceived();
            List<String> errors = new ArrayList<>();
            int afterKill = 0;
            for (int i = 0; i < 400; i++) {
                if (i == 100) {
                    victim.kill();
                    before = survivor.connectionsReceived();
                }
                try (Socket s = new Socket()) {
                    s.connect(stream.address(), 5000);
                    s.setSoTimeout(10_000);
                    String reply = RedisServer.command(s, "PING");
                    if (!"+PONG".equals(reply)) {
                        errors.add(i + ": " + reply);
                    }
                } catch (IOException e) {
                    errors.add(i + ": " + e);
                }
                if (i >= 100) {
                    afterKill++;
                }
            }
            assertThat(errors).isEmpty();
            assertThat(survivor.connectionsReceived() - before - 1).as("every connection after the kill").isEqualTo(afterKill);
            assertThat(stream.engine.metrics().server("redis", victim.address()).connectFailures()).isPositive();
        } finally {
            Cleanup.close(stream, survivor, victim);
        }
    }
}
