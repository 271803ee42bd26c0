package vipgate.vrrp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vipgate.config.ConfigException;
import vipgate.config.Binding;
import vipgate.config.ConfigLoader;
import vipgate.config.ConfigProblem;
import vipgate.vrrp.state.State;
import vipgate.vrrp.track.TrackedObject;
import vipgate.vrrp.wire.AuthType;
import vipgate.vrrp.wire.ChecksumMode;
import vipgate.vrrp.wire.Decoded;
import vipgate.vrrp.wire.VrrpPacket;

class VrrpConfigTest {

    static VrrpConfig bind(String text) {
        return Binding.bind(ConfigLoader.parseString(text, "test.conf"), VrrpConfig::bind, "vipgate", "vrrp");
    }

    static List<String> problems(String text) {
        ConfigException e = catchThrowableOfType(() -> bind(text), ConfigException.class);
        assertThat(e).as("binding should fail").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Seed 000's master, rewritten: vrrp_script chk_http_port (interval 2, weight 2) and VI_1. */
    static final String SEED_000 = """
            vipgate.vrrp {
              scripts.chk_http_port { script = "/usr/local/src/check_nginx_pid.sh", interval = 2s, weight = 2 }
              instances.VI_1 {
                state = master
                interface = ens33
                virtual-router-id = 66
                priority = 100
                advert-interval = 1s
                authentication { type = pass, password = "1111" }
                track-scripts = [ { name = chk_http_port } ]
                virtual-ipaddresses = ["192.168.16.130"]
              }
            }
            """;

    @Test
    void seed000BindsToKeepalivedsSettings() throws Exception {
        VrrpConfig cfg = bind(SEED_000);
        assertThat(cfg.version()).isEqualTo(2);
        InstanceSpec vi = cfg.instances().get("VI_1");
        assertThat(vi.initialState()).isEqualTo(State.MASTER);
        assertThat(vi.iface()).isEqualTo("ens33");
        assertThat(vi.vrid()).isEqualTo(66);
        assertThat(vi.priority()).isEqualTo(100);
        assertThat(vi.advertIntervalCentis()).isEqualTo(100);
        assertThat(vi.authType()).isEqualTo(AuthType.PASS);
        assertThat(vi.vips()).singleElement().satisfies(v -> {
            assertThat(v.address()).isEqualTo(InetAddress.getByName("192.168.16.130"));
            assertThat(v.prefixLength()).isEqualTo(32);
        });
        assertThat(vi.multicast()).isTrue();
        assertThat(vi.trackScripts()).containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_http_port", 2));
        assertThat(vi.garp()).isEqualTo(new GarpSpec(5, Duration.ZERO, Duration.ofSeconds(5), Duration.ZERO, 1));
        ScriptSpec script = cfg.scripts().get("chk_http_port");
        assertThat(script.command()).containsExactly("/usr/local/src/check_nginx_pid.sh");
        assertThat(script.timeout()).isEqualTo(Duration.ofSeconds(2)); // 0 = interval
        assertThat(script.rise()).isEqualTo(1);
        // the bound instance produces seed 000's exact advert and accepts it back
        byte[] advert = vi.advert().encode(ip("192.168.16.128"), ip("224.0.0.18"), ChecksumMode.COMPUTE);
        assertThat(java.util.HexFormat.of().formatHex(advert)).isEqualTo("214264010101462ec0a810823131313100000000");
        assertThat(VrrpPacket.decode(advert, ip("192.168.16.128"), ip("224.0.0.18"), 255, vi.expectation(ChecksumMode.COMPUTE)))
                .isInstanceOf(Decoded.Accepted.class);
        assertThat(vi.params(ip("192.168.16.128")).preempt()).isTrue();
    }

    @Test
    void seed001UnicastWithNotifyScriptsAndMail() throws Exception {
        VrrpConfig cfg = bind("""
                vipgate.vrrp {
                  smtp { server = "192.168.1.25", from = "devops@devops.com", to = ["xx@xx.com"], connect-timeout = 30s, router-id = LVS_DEVEL }
                  scripts.chk_nginx { script = ["/etc/keepalived/check_nginx_rabbitmq.sh"], interval = 1s, weight = -2 }
                  instances.VI_1 {
                    state = master
                    interface = eth0
                    virtual-router-id = 51
                    priority = 100
                    unicast-source = "192.168.64.133"
                    unicast-peers = ["192.168.64.130"]
                    advert-interval = 1s
                    authentication { type = pass, password = "1111" }
                    virtual-ipaddresses = ["192.168.64.50"]
                    track-scripts = [ { name = chk_nginx } ]
                    notify {
                      master = "/etc/keepalived/notify.sh master"
                      backup = "/etc/keepalived/notify.sh backup"
                      fault = ["/etc/keepalived/notify.sh", "fault"]
                    }
                    smtp-alert = true
                  }
                }
                """);
        InstanceSpec vi = cfg.instances().get("VI_1");
        assertThat(vi.multicast()).isFalse();
        assertThat(vi.unicastSource()).contains(ip("192.168.64.133"));
        assertThat(vi.unicastPeers()).containsExactly(ip("192.168.64.130"));
        assertThat(vi.trackScripts()).containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_nginx", -2));
        assertThat(vi.notifyCommands().master()).containsExactly("/etc/keepalived/notify.sh", "master");
        assertThat(vi.notifyCommands().fault()).containsExactly("/etc/keepalived/notify.sh", "fault");
        assertThat(vi.notifyCommands().stop()).isEmpty();
        assertThat(vi.expectation(ChecksumMode.COMPUTE).multicast()).isFalse();
        assertThat(cfg.smtp().routerId()).isEqualTo("LVS_DEVEL");
        assertThat(cfg.smtp().port()).isEqualTo(25);
    }

    @Test
    void vipSyntaxOfKeepalivedIsAccepted() throws Exception {
        VipSpec v = VipSpec.parse("10.0.0.5/24 dev eth1 label eth1:1");
        assertThat(v.address()).isEqualTo(ip("10.0.0.5"));
        assertThat(v.prefixLength()).isEqualTo(24);
        assertThat(v.device()).contains("eth1");
        assertThat(v.label()).contains("eth1:1");
        assertThat(VipSpec.parse("fd00::50").prefixLength()).isEqualTo(128);
        assertThat(VipSpec.parse("192.168.1.5/24 brd 192.168.1.255 scope global").broadcast()).contains(ip("192.168.1.255"));
    }

    @Test
    void v3AllowsCentisecondIntervalsAndIpv6() {
        VrrpConfig cfg = bind("""
                vipgate.vrrp {
                  version = 3
                  instances.VI_6 { interface = eth0, virtual-router-id = 9, advert-interval = 250ms, virtual-ipaddresses = ["fd00::50/64"] }
                }
                """);
        assertThat(cfg.instances().get("VI_6").advertIntervalCentis()).isEqualTo(25);
        assertThat(cfg.notifyFifo()).isEqualTo(Optional.empty());
    }

    @Test
    void emptyUnicastPeersIsAnErrorNotAFallbackToMulticast() {
        assertThat(problems("""
                vipgate.vrrp.instances.VI_1 {
                  interface = eth0
                  virtual-router-id = 51
                  virtual-ipaddresses = ["192.168.64.50"]
                  unicast-source = "192.168.64.133"
                }
                """)).containsExactly("test.conf:1: vipgate.vrrp.instances.VI_1.unicast-peers: unicast-source is set but no peers"
                + " are listed; write unicast-peers = [\"192.168.64.130\"] (there is no silent fallback to multicast)");
    }

    @Test
    void mistakesAreReportedAtTheirLines() {
        List<String> problems = problems("""
                vipgate.vrrp {
                  instances.VI_1 {
                    interface = eth0
                    virtual-router-id = 300
                    priority = 150
                    state = master
                    preempt = false
                    advert-interval = 1500ms
                    authentication { type = pass, password = "123456789" }
                    virtual-ipaddresses = ["192.168.1.50/33", "www.example.com"]
                    track-scripts = [ { name = chk_ngnix } ]
                    prioirty = 3
                  }
                  scripts.chk_nginx { script = "/bin/true" }
                  sync-groups.G1 { instances = [VI_1, VI_2] }
                  sync-groups.G2 { instances = [VI_1] }
                }
                """);
        assertThat(problems).containsExactlyInAnyOrder(
                "test.conf:4: vipgate.vrrp.instances.VI_1.virtual-router-id: must be between 1 and 255 and the same on every"
                        + " router of this VIP, got 300",
                "test.conf:7: vipgate.vrrp.instances.VI_1.preempt: preempt = false (nopreempt) only works with state = backup"
                        + " and priority below 255 (keepalived ignores it otherwise); write state = backup on every router and"
                        + " let priority decide",
                "test.conf:8: vipgate.vrrp.instances.VI_1.advert-interval: VRRP version 2 sends whole seconds from 1s to 255s,"
                        + " got 1500ms; write e.g. 1s, or use version = 3 for shorter intervals",
                "test.conf:9: vipgate.vrrp.instances.VI_1.authentication.password: at most 8 characters go on the wire"
                        + " (keepalived cuts the rest); write the first 8: \"12345678\"",
                "test.conf:10: vipgate.vrrp.instances.VI_1.virtual-ipaddresses: prefix length 33 out of range 0..32 in"
                        + " '192.168.1.50/33'",
                "test.conf:10: vipgate.vrrp.instances.VI_1.virtual-ipaddresses: 'www.example.com' is not an IP address;"
                        + " write e.g. 192.168.1.50 or fd00::50",
                "test.conf:11: vipgate.vrrp.instances.VI_1.track-scripts[0].name: no script named 'chk_ngnix'; define"
                        + " vipgate.vrrp.scripts.chk_ngnix or use one of [chk_nginx]",
                "test.conf:12: unknown key 'vipgate.vrrp.instances.VI_1.prioirty'; did you mean 'priority'?",
                "test.conf:15: vipgate.vrrp.sync-groups.G1.instances: no instance named 'VI_2'; define"
                        + " vipgate.vrrp.instances.VI_2 or use one of [VI_1]",
                "test.conf:16: vipgate.vrrp.sync-groups.G2.instances: instance 'VI_1' is already in sync group 'G1'; an"
                        + " instance belongs to at most one group");
    }

    @Test
    void ownerMustStartAsMasterAndV3HasNoAuthentication() {
        assertThat(problems("""
                vipgate.vrrp {
                  version = 3
                  instances.VI_1 {
                    interface = eth0, virtual-router-id = 1, priority = 255, virtual-ipaddresses = ["10.0.0.1"]
                    authentication { type = pass, password = "x" }
                  }
                }
                """)).containsExactly(
                "test.conf:4: vipgate.vrrp.instances.VI_1.priority: priority 255 makes this router the address owner, which"
                        + " starts as master: write state = master, or a priority below 255",
                "test.conf:5: vipgate.vrrp.instances.VI_1.authentication.type: VRRP version 3 has no authentication; remove"
                        + " the authentication block or use version = 2");
    }

    @Test
    void duplicateVridOnOneInterfaceAndMailWithoutRelay() {
        assertThat(problems("""
                vipgate.vrrp.instances {
                  VI_1 { interface = eth0, virtual-router-id = 51, virtual-ipaddresses = ["10.0.0.1"], smtp-alert = true }
                  VI_2 { interface = eth0, virtual-router-id = 51, virtual-ipaddresses = ["10.0.0.2"] }
                }
                """)).containsExactlyInAnyOrder(
                "test.conf:3: vipgate.vrrp.instances.VI_2.virtual-router-id: VRID 51 on eth0 is already used by instance"
                        + " 'VI_1'; each instance on an interface needs its own",
                "test.conf:1: vipgate.vrrp.smtp: smtp-alert = true needs a mail relay: write smtp { server ="
                        + " \"192.168.200.1\", from = \"vipgate@example.com\", to = [\"ops@example.com\"] }");
    }
}
