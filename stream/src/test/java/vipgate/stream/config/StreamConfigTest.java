package vipgate.stream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.balance.Algorithm;
import vipgate.config.Binding;
import vipgate.config.ConfigException;
import vipgate.config.ConfigLoader;
import vipgate.config.ConfigProblem;
import vipgate.config.HostPort;
import vipgate.transport.Transport;

class StreamConfigTest {

    static StreamConfig bind(String text) {
        return Binding.bind(ConfigLoader.parseString(text, "test.conf"), StreamConfig::bind, "vipgate", "stream");
    }

    private static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void aMinimalConfigTakesNginxStreamDefaults() {
        StreamConfig cfg = bind("""
                vipgate.stream {
                  upstreams.redis { servers = [ { address = "127.0.0.1:6380" }, { address = "[::1]:6381", weight = 3, backup = true } ] }
                  servers = [ { listen = "6379", proxy-pass = redis } ]
                }
                """);
        assertThat(cfg.transport()).isEqualTo(Transport.AUTO);
        assertThat(cfg.eventLoops()).isZero();
        UpstreamSpec redis = cfg.upstreams().get("redis");
        assertThat(redis.algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(redis.hashKey().text()).isEqualTo("$remote_addr");
        assertThat(redis.servers()).extracting(PeerSpec::address)
                .containsExactly(new HostPort("127.0.0.1", 6380), new HostPort("::1", 6381));
        PeerSpec first = redis.servers().get(0);
        assertThat(first.weight()).isEqualTo(1);
        assertThat(first.maxFails()).isEqualTo(1);
        assertThat(first.failTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(first.maxConns()).isZero();
        assertThat(first.backup()).isFalse();
        assertThat(first.down()).isFalse();
        assertThat(redis.servers().get(1).weight()).isEqualTo(3);
        assertThat(redis.servers().get(1).backup()).isTrue();
        ListenerSpec server = cfg.servers().get(0);
        assertThat(server.listen()).containsExactly(new HostPort("0.0.0.0", 6379));
        assertThat(server.proxyPass()).isEqualTo("redis");
        // nginx: proxy_connect_timeout 60s, proxy_timeout 10m, proxy_next_upstream on, tries 0, timeout 0
        assertThat(server.connectTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(server.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(server.nextUpstream()).isEqualTo(new NextUpstreamSpec(true, 0, Duration.ZERO));
    }

    @Test
    void everySettingCanBeWritten() {
        StreamConfig cfg = bind("""
                vipgate.stream {
                  transport = nio
                  event-loops = 2
                  upstreams.db {
                    algorithm = hash
                    hash-key = "${remote_addr}:$server_port"
                    servers = [ { address = "10.0.0.1:5432", weight = 2, max-fails = 3, fail-timeout = 30s, max-conns = 100, down = true }
                                { address = "10.0.0.2:5432" } ]
                  }
                  servers = [ { listen = ["127.0.0.1:5432", "[::1]:5432"], proxy-pass = db, connect-timeout = 1s, timeout = 1h
                                next-upstream { enabled = false, tries = 2, timeout = 5s } } ]
                }
                """);
        assertThat(cfg.transport()).isEqualTo(Transport.NIO);
        assertThat(cfg.eventLoops()).isEqualTo(2);
        UpstreamSpec db = cfg.upstreams().get("db");
        assertThat(db.algorithm()).isEqualTo(Algorithm.HASH);
        assertThat(db.servers().get(0)).isEqualTo(new PeerSpec(new HostPort("10.0.0.1", 5432), 2, 3, Duration.ofSeconds(30),
                false, true, 100));
        ListenerSpec server = cfg.servers().get(0);
        assertThat(server.listen()).containsExactly(new HostPort("127.0.0.1", 5432), new HostPort("::1", 5432));
        assertThat(server.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(server.timeout()).isEqualTo(Duration.ofHours(1));
        assertThat(server.nextUpstream()).isEqualTo(new NextUpstreamSpec(false, 2, Duration.ofSeconds(5)));
    }

    @Test
    void aMisspeltKeyIsReportedAtItsLineWithTheKeyMeant() {
        assertThat(problems("""
                vipgate.stream {
                  upstreams.redis { servers = [ { address = "127.0.0.1:6380", wieght = 2 } ] }
                  servers = [ { listen = "6379", proxy-pass = redis, conect-timeout = 1s } ]
                }
                """)).containsExactly(
                "test.conf:2: unknown key 'vipgate.stream.upstreams.redis.servers[0].wieght'; did you mean 'weight'?",
                "test.conf:3: unknown key 'vipgate.stream.servers[0].conect-timeout'; did you mean 'connect-timeout'?");
    }

    @Test
    void aProxyPassToAMissingUpstreamIsReportedAtItsLine() {
        assertThat(problems("""
                vipgate.stream {
                  upstreams.redis { servers = [ { address = "127.0.0.1:6380" } ] }
                  servers = [ {
                    listen = "6379"
                    proxy-pass = rdis
                  } ]
                }
                """)).singleElement().asString()
                .startsWith("test.conf:5: ").contains("no upstream named 'rdis'").contains("[redis]");
    }

    @Test
    void badValuesAreReportedEachAtItsLine() {
        List<String> problems = problems("""
                vipgate.stream {
                  upstreams.redis {
                    algorithm = round-robbin
                    hash-key = "$remote_address"
                    servers = [ { address = "127.0.0.1" }, { address = "10.0.0.1:6380", weight = 0 } ]
                  }
                  upstreams.empty { servers = [] }
                  servers = [ { listen = "6379", proxy-pass = redis, timeout = 0s, next-upstream.tries = -1 }
                              { listen = ["127.0.0.1:6379", "0.0.0.0:6379"], proxy-pass = redis } ]
                }
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:3: ").contains("round-robbin")
                .contains("did you mean round-robin?"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:4: ").contains("$remote_address"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:5: ").contains("has no port"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:5: ").contains("weight")
                .contains("between 1 and 1000"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:7: ").contains("has no servers"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:8: ").contains("timeout")
                .contains("longer than 0s"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:8: ").contains("tries"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:9: ")
                .contains("0.0.0.0:6379 is already a listen address of vipgate.stream.servers[0]"));
        assertThat(problems).hasSize(8);
    }

    @Test
    void hashAndRandomTwoRefuseBackupServersAsNginxDoes() {
        assertThat(problems("""
                vipgate.stream {
                  upstreams.redis {
                    algorithm = random-two
                    servers = [ { address = "127.0.0.1:6380" }, { address = "127.0.0.1:6381", backup = true } ]
                  }
                  servers = [ { listen = "6379", proxy-pass = redis } ]
                }
                """)).singleElement().asString().startsWith("test.conf:4: ").contains("does not support backup");
    }

    @Test
    void theEpollTransportIsRefusedWithTheReason() {
        assertThat(problems("""
                vipgate.stream {
                  transport = epoll
                  upstreams.redis { servers = [ { address = "127.0.0.1:6380" } ] }
                  servers = [ { listen = "6379", proxy-pass = redis } ]
                }
                """)).singleElement().asString().startsWith("test.conf:2: ").contains("half-closed").contains("io_uring or nio");
    }

    @Test
    void aServerWithoutListenIsRefused() {
        assertThat(problems("""
                vipgate.stream {
                  upstreams.redis { servers = [ { address = "127.0.0.1:6380" } ] }
                  servers = [ { proxy-pass = redis } ]
                }
                """)).singleElement().asString().startsWith("test.conf:3: ").contains("at least one listen address");
    }
}
