package vipgate.ipvs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import vipgate.config.Binding;
import vipgate.config.ConfigException;
import vipgate.config.ConfigLoader;
import vipgate.config.ConfigProblem;
import vipgate.health.HealthCheckSpec;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Timeouts;
import vipgate.ipvs.netlink.Tunnel;

class IpvsConfigTest {
    static IpvsConfig bind(String text) {
        return Binding.bind(ConfigLoader.parseString(text, "test.conf"), IpvsConfig::bind, "vipgate", "ipvs");
    }

    static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Seed 004's keepalived virtual_server, rewritten (delay_loop 6, wrr, DR, persistence 50, TCP_CHECK). */
    static final String SEED_004 = """
            vipgate.ipvs.virtual-servers = [{
              address = "192.168.1.120:80"
              scheduler = wrr
              forwarding = dr
              persistence-timeout = 50s
              protocol = tcp
              real-servers = [
                { address = "192.168.1.103:80", weight = 1
                  check { type = tcp, interval = 6s, connect-timeout = 10s, retry = 3, delay-before-retry = 3s, port = 80 } }
                { address = "192.168.1.104:80", weight = 5
                  check { type = tcp, interval = 6s, connect-timeout = 10s, retry = 3, delay-before-retry = 3s, port = 80 } }
              ]
            }]
            """;

    @Test
    void seed004BindsToKeepalivedsSettings() throws Exception {
        IpvsConfig cfg = bind(SEED_004);
        assertThat(cfg.virtualServers()).hasSize(1);
        VirtualServerSpec vs = cfg.virtualServers().get(0);
        assertThat(vs.service()).isEqualTo(Service.of(ServiceKey.of(Protocol.TCP, ip("192.168.1.120"), 80), "wrr")
                .withPersistence(50, 0xffffffff));
        assertThat(vs.forwarding()).isEqualTo(Forwarding.DIRECT_ROUTE);
        assertThat(vs.realServers()).extracting(RealServerSpec::weight).containsExactly(1, 5);
        RealServerSpec rs = vs.realServers().get(0);
        assertThat(rs.address()).isEqualTo(ip("192.168.1.103"));
        assertThat(rs.port()).isEqualTo(80);
        assertThat(rs.check().type()).isEqualTo(HealthCheckSpec.Type.TCP);
        assertThat(rs.check().interval()).isEqualTo(Duration.ofSeconds(6));
        assertThat(rs.check().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(rs.check().retry()).isEqualTo(3);
        assertThat(rs.check().delayBeforeRetry()).isEqualTo(Duration.ofSeconds(3));
        assertThat(rs.check().warmup()).as("keepalived: warmup defaults to delay_loop").isEqualTo(Duration.ofSeconds(6));
        assertThat(rs.checkPort()).isEqualTo(80);
        assertThat(vs.quorum()).isEqualTo(1);
        assertThat(vs.sorryServer()).isEmpty();
        assertThat(cfg.onShutdown()).isEqualTo(IpvsConfig.OnShutdown.REMOVE);
        assertThat(cfg.syncDaemon()).isEmpty();
        assertThat(cfg.isEmpty()).isFalse();
    }

    @Test
    void defaultsAreKeepalived() throws Exception {
        IpvsConfig cfg = bind("vipgate.ipvs.virtual-servers = [{ address = \"10.0.0.1:80\", real-servers = [{ address = \"10.0.0.2\" }] }]");
        VirtualServerSpec vs = cfg.virtualServers().get(0);
        assertThat(vs.service().scheduler()).isEqualTo("wlc");
        assertThat(vs.service().persistent()).isFalse();
        assertThat(vs.forwarding()).isEqualTo(Forwarding.MASQ);
        RealServerSpec rs = vs.realServers().get(0);
        assertThat(rs.port()).as("port defaults to the service's").isEqualTo(80);
        assertThat(rs.weight()).isEqualTo(1);
        CheckSpec check = rs.check();
        assertThat(check.enabled()).isFalse();
        assertThat(check.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(check.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(check.retry()).isEqualTo(1);
        assertThat(check.delayBeforeRetry()).isEqualTo(Duration.ofSeconds(1));
        assertThat(cfg.timeouts()).isEqualTo(new Timeouts(0, 0, 0));
        assertThat(bind("").isEmpty()).isTrue();
    }

    @Test
    void httpRetriesDefaultToThreeSecondsAndNetmaskAlonePersistsFor360() throws Exception {
        IpvsConfig cfg = bind("""
                vipgate.ipvs.virtual-servers = [{ address = "10.0.0.1:443", persistence-netmask = "255.255.255.0"
                  real-servers = [{ address = "10.0.0.2:443", check { type = http, path = "/healthz", expect-status = "200" } }] }]
                """);
        VirtualServerSpec vs = cfg.virtualServers().get(0);
        assertThat(vs.service().timeout()).isEqualTo(360);
        assertThat(vs.service().netmask()).isEqualTo(0xffffff00);
        assertThat(vs.service().persistent()).isTrue();
        CheckSpec check = vs.realServers().get(0).check();
        assertThat(check.delayBeforeRetry()).isEqualTo(Duration.ofSeconds(3));
        assertThat(check.probe().path()).isEqualTo("/healthz");
        assertThat(check.probe().timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void fwmarkIpv6SchedulerFlagsTunnelAndSorryServer() throws Exception {
        IpvsConfig cfg = bind("""
                vipgate.ipvs.virtual-servers = [
                  { fwmark = 7, scheduler = sh, scheduler-flags = [sh-fallback, sh-port], forwarding = tun
                    tunnel { type = gue, port = 6080, checksum = csum }
                    real-servers = [{ address = "[2001:db8::2]:0", check { type = tcp, port = 80 } }] }
                  { address = "[2001:db8::10]:80", persistence-timeout = 10m, persistence-netmask = "64"
                    quorum = 3, hysteresis = 1, sorry-server = "[2001:db8::99]", inhibit-on-failure = true, alpha = true
                    real-servers = [{ address = "2001:db8::2" }] }
                ]
                """);
        VirtualServerSpec fw = cfg.virtualServers().get(0);
        assertThat(fw.service().key()).isEqualTo(ServiceKey.fwmark(7, AddressFamily.INET6));
        assertThat(fw.service().flags()).isEqualTo(Service.SCHED_FALLBACK | Service.SCHED_PORT);
        assertThat(fw.tunnel()).isEqualTo(new Tunnel(Tunnel.Type.GUE, 6080, Tunnel.Checksum.CSUM));
        assertThat(fw.realServers().get(0).checkPort()).isEqualTo(80);
        VirtualServerSpec v6 = cfg.virtualServers().get(1);
        assertThat(v6.service().timeout()).isEqualTo(600);
        assertThat(v6.service().netmask()).isEqualTo(64);
        assertThat(v6.sorryServer()).contains(new VirtualServerSpec.SorryServer(ip("2001:db8::99"), 80));
        assertThat(v6.quorum()).isEqualTo(3);
        assertThat(v6.hysteresis()).isEqualTo(1);
        assertThat(v6.inhibitOnFailure()).isTrue();
        assertThat(v6.alpha()).isTrue();
    }

    @Test
    void syncDaemonAndRealServerMode() throws Exception {
        IpvsConfig cfg = bind("""
                vipgate.ipvs {
                  sync-daemon { interface = eth0, vrrp-instance = VI_1 }
                  real-server-mode.virtual-addresses = ["192.168.1.120"]
                  on-shutdown = leave
                  timeouts { tcp = 2h, tcp-fin = 2m, udp = 5m }
                }
                """);
        assertThat(cfg.syncDaemon()).contains(new SyncDaemonSpec("eth0", "VI_1", OptionalInt.empty()));
        assertThat(cfg.realServerMode().enabled()).isTrue();
        assertThat(cfg.realServerMode().virtualAddresses()).containsExactly(ip("192.168.1.120"));
        assertThat(cfg.realServerMode().interfaceName()).isEqualTo("lo");
        assertThat(cfg.onShutdown()).isEqualTo(IpvsConfig.OnShutdown.LEAVE);
        assertThat(cfg.timeouts()).isEqualTo(new Timeouts(7200, 120, 300));
        assertThat(cfg.isEmpty()).as("a sync daemon alone is something to do").isFalse();
        assertThat(bind("vipgate.ipvs.sync-daemon { interface = eth0, vrrp-instance = VI_1, sync-id = 9 }").syncDaemon()
                .orElseThrow().syncId()).isEqualTo(OptionalInt.of(9));
    }

    @Test
    void mistakesAreReportedWithFileAndLine() {
        List<String> problems = problems("""
                vipgate.ipvs {
                  virtual-servers = [{
                    address = "web.example.com:80"
                  }, {
                    address = "10.0.0.1:80"
                    scheduler = wrrr
                    forwarding = dr
                    scheduler-flags = [sh-port]
                    real-servers = [
                      { address = "10.0.0.2:8080", wieght = 2 }
                      { address = "10.0.0.3:80", check { type = script } }
                      { address = "10.0.0.3:80" }
                    ]
                    sorry-server = "10.0.0.3:80"
                  }, {
                    address = "10.0.0.1:80"
                  }]
                  sync-daemon.vrrp-instance = VI_1
                }
                """);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:3: ")
                .contains("write the service as \"IP:PORT\""));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:6: ").contains("unknown scheduler 'wrrr'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:8: ").contains("is not a flag of scheduler"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:10: ").contains("cannot change the port"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:10: ").contains("unknown key")
                .contains("did you mean 'weight'"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:11: ").contains("type = script needs a command"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:12: ").contains("listed twice"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:14: ").contains("is also a real server"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("test.conf:16: ")
                .contains("service 10.0.0.1:80/tcp is listed twice"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("write the interface the sync daemon uses"));
        assertThat(problems("vipgate.ipvs.real-server-mode.virtual-addresses = [\"2001:db8::1\", \"vip\"]"))
                .anySatisfy(p -> assertThat(p).contains("IPv4 only")).anySatisfy(p -> assertThat(p).contains("not an IP address"));
    }
}
