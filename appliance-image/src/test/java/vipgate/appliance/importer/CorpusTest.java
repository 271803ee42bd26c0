package vipgate.appliance.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.importer.keepalived.KeepalivedParser;
import vipgate.appliance.importer.nginx.NginxParser;
import vipgate.config.HostPort;
import vipgate.health.HealthCheckSpec;
import vipgate.ipvs.config.CheckSpec;
import vipgate.ipvs.config.RealServerSpec;
import vipgate.ipvs.config.VirtualServerSpec;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.lb.config.LocationSpec;
import vipgate.lb.config.NextUpstreamSpec.RetryOn;
import vipgate.lb.config.ServerSpec;
import vipgate.lb.config.UpstreamSpec;
import vipgate.balance.Algorithm;
import vipgate.vrrp.config.InstanceSpec;
import vipgate.vrrp.config.VipSpec;
import vipgate.vrrp.state.State;
import vipgate.vrrp.track.TrackedObject;
import vipgate.vrrp.wire.AuthType;

/**
 * The corpus (src/test/resources/importer/corpus, see its README): keepalived.conf and nginx.conf as people write
 * them. Every import passes `vipgate check`; per file, what it means is carried over, and what cannot be is said at
 * its file:line.
 */
class CorpusTest {
    private static final Path CORPUS = Path.of("src/test/resources/importer/corpus");

    /** One `vipgate import` run: a keepalived.conf, an nginx.conf, or both into one file. */
    record Case(Optional<String> keepalived, Optional<String> nginx) {
        static Case keepalived(String file) {
            return new Case(Optional.of(file), Optional.empty());
        }

        static Case nginx(String file) {
            return new Case(Optional.empty(), Optional.of(file));
        }

        Importer.Result run() throws IOException {
            return Importer.run(keepalived.map(CORPUS::resolve), nginx.map(CORPUS::resolve), Optional.empty());
        }

        @Override
        public String toString() {
            return String.join(" + ", Stream.concat(keepalived.stream(), nginx.stream()).toList());
        }
    }

    private static final Case UNICAST_PAIR = new Case(Optional.of("keepalived/unicast-pair.conf"),
            Optional.of("nginx/distro/nginx.conf"));
    private static final Case SYNC_GROUP = Case.keepalived("keepalived/sync-group.conf");
    private static final Case LVS_NAT = Case.keepalived("keepalived/lvs-nat.conf");
    private static final Case LVS_DR = Case.keepalived("keepalived/lvs-dr/keepalived.conf");
    private static final Case DUAL_STACK = Case.keepalived("keepalived/dual-stack.conf");
    private static final Case LEGACY = Case.keepalived("keepalived/legacy-1x.conf");
    private static final Case API_GATEWAY = Case.nginx("nginx/api-gateway.conf");
    private static final Case OPENRESTY = Case.nginx("nginx/openresty-messy.conf");

    static List<Case> cases() {
        return List.of(UNICAST_PAIR, SYNC_GROUP, LVS_NAT, LVS_DR, DUAL_STACK, LEGACY, API_GATEWAY, OPENRESTY);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void importsIntoAConfigTheCheckAcceptsEveryFindingAtALineOfTheCorpus(Case c) throws IOException {
        Importer.Result r = c.run();
        assertThat(r.rejected()).isEmpty();
        assertThat(r.report().findings()).allSatisfy(f -> {
            assertThat(Path.of(f.file()).toAbsolutePath().normalize()).startsWith(CORPUS.toAbsolutePath());
            assertThat(f.line()).isPositive();
            assertThat(r.text()).contains(f.toString());
        });
    }

    @Test
    void everyFileOfTheCorpusIsReadByACase() throws IOException {
        Set<Path> read = new HashSet<>();
        Report ignored = new Report();
        for (Case c : cases()) {
            for (String k : c.keepalived().stream().toList()) {
                collect(new KeepalivedParser(ignored).parse(CORPUS.resolve(k)), read);
            }
            for (String n : c.nginx().stream().toList()) {
                collect(NginxParser.read(CORPUS.resolve(n), ignored), read);
            }
        }
        try (Stream<Path> files = Files.walk(CORPUS)) {
            assertThat(files.filter(Files::isRegularFile).filter(f -> !f.endsWith("README.md"))
                    .map(f -> f.toAbsolutePath().normalize())).allMatch(read::contains);
        }
    }

    private static void collect(List<Directive> directives, Set<Path> files) {
        for (Directive d : directives) {
            files.add(Path.of(d.file()).toAbsolutePath().normalize());
            collect(d.children(), files);
        }
    }

    // ---- keepalived ----

    @Test
    void unicastPairBehindNginxTracksTheLbEngineAndKeepsTheNginxSite() throws IOException {
        Importer.Result r = UNICAST_PAIR.run();
        ApplianceConfig c = config(r);
        assertThat(c.nodeName()).isEqualTo("lb1");
        InstanceSpec vi1 = c.vrrp().instances().get("VI_1");
        assertThat(vi1.initialState()).isEqualTo(State.BACKUP);
        assertThat(vi1.preempt()).isFalse();
        assertThat(vi1.priority()).isEqualTo(110);
        assertThat(vi1.unicastSource()).contains(ip("10.0.0.11"));
        assertThat(vi1.unicastPeers()).containsExactly(ip("10.0.0.12"));
        assertThat(vi1.authType()).isEqualTo(AuthType.PASS);
        assertThat(vi1.password()).isEqualTo("s3cr3tPW");
        assertThat(vi1.vips()).singleElement().satisfies(v -> {
            assertThat(v.address()).isEqualTo(ip("10.0.0.100"));
            assertThat(v.prefixLength()).isEqualTo(24);
            assertThat(v.device()).contains("eth0");
        });
        assertThat(vi1.notifyCommands().master()).containsExactly("/etc/keepalived/notify.sh", "MASTER");
        assertThat(vi1.notifyCommands().fault()).containsExactly("/etc/keepalived/notify.sh", "FAULT");
        // 'killall -0 nginx' with weight -20 became the lb tracking with the same weight, not a script
        assertThat(vi1.trackLb()).hasValueSatisfying(t -> assertThat(t.weight()).isEqualTo(-20));
        assertThat(vi1.trackScripts()).isEmpty();
        assertThat(c.vrrp().scripts()).isEmpty();
        assertSaid(r, "/unicast-pair.conf:12: changed: vrrp_script: 'killall -0 nginx' only checks that an nginx process exists");

        UpstreamSpec app = c.lb().upstreams().get("app_backend");
        assertThat(app.algorithm()).isEqualTo(Algorithm.LEAST_CONN);
        assertThat(app.servers()).extracting(ServerSpec::address, ServerSpec::weight, ServerSpec::maxFails,
                        ServerSpec::failTimeout, ServerSpec::maxConns, ServerSpec::backup)
                .containsExactly(tuple(HostPort.parse("10.0.1.11:8080"), 3, 3, Duration.ofSeconds(30), 0, false),
                        tuple(HostPort.parse("10.0.1.12:8080"), 2, 3, Duration.ofSeconds(30), 0, false),
                        tuple(HostPort.parse("10.0.1.13:8080"), 1, 1, Duration.ofSeconds(10), 100, false),
                        tuple(HostPort.parse("10.0.1.19:8080"), 1, 1, Duration.ofSeconds(10), 0, true));
        assertThat(app.keepalive().idle()).isEqualTo(32);
        assertThat(app.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(app.readTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.lb().upstreams().get("static_backend").servers()).extracting(ServerSpec::address, ServerSpec::down)
                .containsExactly(tuple(HostPort.parse("10.0.2.21:80"), false), tuple(HostPort.parse("10.0.2.22:80"), true));
        assertThat(c.lb().accessLog().path()).contains(Path.of("/var/log/nginx/access.log"));

        // the plain-HTTP server of sites-enabled/example.com
        assertThat(c.lb().servers()).singleElement().satisfies(s -> {
            assertThat(s.listen()).containsExactly(HostPort.parse("0.0.0.0:80"), HostPort.parse("[::]:80"));
            assertThat(s.serverNames()).containsExactly("example.com", "www.example.com");
            assertThat(s.isDefault()).isTrue();
            assertThat(s.locations()).extracting(LocationSpec::path, LocationSpec::upstream)
                    .containsExactly(tuple("/", "app_backend"), tuple("/static/", "static_backend"));
            assertThat(s.locations().get(0).requestHeaders()).containsExactlyInAnyOrderEntriesOf(Map.of("Host", "$host",
                    "X-Real-IP", "$remote_addr", "X-Forwarded-For", "$proxy_add_x_forwarded_for", "X-Forwarded-Proto", "$scheme"));
            assertThat(s.locations().get(1).requestHeaders()).containsExactlyEntriesOf(Map.of("Host", "$proxy_host"));
        });
        // its TLS twin is left out: certbot's certificates are not on this machine
        assertSaid(r, "/sites-enabled/example.com:32: not mapped: ssl_certificate: cannot read"
                        + " /etc/letsencrypt/live/example.com/fullchain.pem here: copy it to this machine at the same path",
                "/sites-enabled/example.com:26: not mapped: server: no certificate vipgate can read",
                "/sites-enabled/example.com:26: not mapped: server: no listen address vipgate can serve",
                "/distro/nginx.conf:25: not mapped: include: no file matches mime.types");
    }

    @Test
    void unicastPairAloneKeepsTheProcessCheckAsAScript() throws IOException {
        ApplianceConfig c = config(Case.keepalived("keepalived/unicast-pair.conf").run());
        assertThat(c.vrrp().scripts().get("chk_nginx")).satisfies(s -> {
            assertThat(s.command()).containsExactly("killall", "-0", "nginx");
            assertThat(s.interval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(s.weight()).isEqualTo(-20);
            assertThat(s.rise()).isEqualTo(2);
            assertThat(s.fall()).isEqualTo(2);
        });
        assertThat(c.vrrp().instances().get("VI_1").trackScripts())
                .containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_nginx", -20));
    }

    @Test
    void syncGroupMovesBothRoutersAddressesTogether() throws IOException {
        Importer.Result r = SYNC_GROUP.run();
        ApplianceConfig c = config(r);
        assertThat(c.vrrp().syncGroups().get("VG_1")).satisfies(g -> {
            assertThat(g.instances()).containsExactly("VI_EXT", "VI_INT");
            assertThat(g.notifyCommands().backup()).containsExactly("/usr/local/bin/fw-state.sh", "backup");
            assertThat(g.smtpAlert()).isTrue();
        });
        assertThat(c.vrrp().smtp().to()).containsExactly("noc@example.com", "admin@example.com");
        InstanceSpec ext = c.vrrp().instances().get("VI_EXT");
        assertThat(ext.vips()).extracting(VipSpec::address, VipSpec::label, VipSpec::broadcast).containsExactly(
                tuple(ip("203.0.113.10"), Optional.of("eth0:vip"), Optional.empty()),
                tuple(ip("203.0.113.11"), Optional.of("eth0:vip2"), Optional.of(ip("203.0.113.255"))));
        assertThat(ext.garp().masterDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ext.garp().masterRefresh()).isEqualTo(Duration.ofSeconds(60));
        // keepalived ignores tracking weights of sync group members: eth1 down puts the group in FAULT
        assertThat(ext.trackInterfaces()).containsExactly(new TrackedObject(TrackedObject.Kind.INTERFACE, "eth0", 0),
                new TrackedObject(TrackedObject.Kind.INTERFACE, "eth1", 0));
        assertSaid(r, "/sync-group.conf:41: changed: eth1: keepalived ignores tracking weights in a vrrp_sync_group");
        assertThat(c.vrrp().instances().get("VI_INT").vips()).extracting(VipSpec::address).containsExactly(ip("192.168.10.1"));
    }

    @Test
    void lvsNatDirectorKeepsItsServicesChecksAndSorryServer() throws IOException {
        Importer.Result r = LVS_NAT.run();
        ApplianceConfig c = config(r);
        assertThat(c.ipvs().syncDaemon()).hasValueSatisfying(s -> {
            assertThat(s.vrrpInstance()).isEqualTo("VI_GW");
            assertThat(s.syncId()).hasValue(7);
        });
        assertThat(c.ipvs().virtualServers()).hasSize(2);
        VirtualServerSpec web = c.ipvs().virtualServers().get(0);
        assertThat(web.service().key()).hasToString("192.168.200.100:80/tcp");
        assertThat(web.service().scheduler()).isEqualTo("wlc");
        assertThat(web.service().timeout()).isEqualTo(50);
        assertThat(web.forwarding()).isEqualTo(Forwarding.MASQ);
        assertThat(web.quorum()).isEqualTo(2);
        assertThat(web.hysteresis()).isEqualTo(1);
        assertThat(web.sorryServer()).contains(new VirtualServerSpec.SorryServer(ip("10.10.10.250"), 8080));
        assertThat(web.notifyQuorumDown()).containsExactly("/usr/local/bin/lvs-quorum.sh", "down");
        assertThat(web.realServers()).extracting(RealServerSpec::weight).containsExactly(3, 1);
        CheckSpec http = web.realServers().get(0).check();
        assertThat(http.type()).isEqualTo(HealthCheckSpec.Type.HTTP);
        assertThat(http.path()).isEqualTo("/healthz");
        assertThat(http.expectStatus()).hasToString("200");
        assertThat(http.interval()).isEqualTo(Duration.ofSeconds(6));
        assertThat(http.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(http.retry()).isEqualTo(3);
        assertThat(http.delayBeforeRetry()).isEqualTo(Duration.ofSeconds(3));
        // only one of the two real servers has inhibit_on_failure; vipgate sets it per service
        assertThat(web.inhibitOnFailure()).isFalse();
        assertSaid(r, "/lvs-nat.conf:44: not mapped: digest: vipgate checks the status code only",
                "/lvs-nat.conf:40: not mapped: inhibit_on_failure: inhibit_on_failure is set per virtual_server in vipgate");

        VirtualServerSpec tls = c.ipvs().virtualServers().get(1);
        assertThat(tls.service().scheduler()).isEqualTo("wrr");
        assertThat(tls.realServers()).allSatisfy(rs -> {
            assertThat(rs.check().type()).isEqualTo(HealthCheckSpec.Type.TCP);
            assertThat(rs.check().port()).isEqualTo(443);
            assertThat(rs.check().interval()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void lvsDrServicesComeFromTheIncludedFiles() throws IOException {
        Importer.Result r = LVS_DR.run();
        ApplianceConfig c = config(r);
        assertThat(c.vrrp().instances().get("VI_DR").vips()).extracting(VipSpec::prefixLength, VipSpec::label)
                .containsExactly(tuple(32, Optional.of("ens192:0")), tuple(32, Optional.of("ens192:1")));
        assertThat(c.ipvs().virtualServers()).extracting(v -> v.service().key().toString(), VirtualServerSpec::forwarding)
                .containsExactly(tuple("172.16.0.50:80/tcp", Forwarding.DIRECT_ROUTE), tuple("172.16.0.53:53/udp", Forwarding.DIRECT_ROUTE));
        CheckSpec web = c.ipvs().virtualServers().get(0).realServers().get(1).check();
        assertThat(web.type()).isEqualTo(HealthCheckSpec.Type.SCRIPT);
        assertThat(web.script()).containsExactly("/etc/keepalived/check_web.sh", "172.16.0.12");
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.ipvs().virtualServers().get(1).realServers().get(0).check().script())
                .containsExactly("/usr/bin/dig", "@172.16.0.21", "+time=1", "+tries=1", "example.com");
        // a clean file: nothing to tell
        assertThat(r.report().findings()).isEmpty();
    }

    @Test
    void dualStackKeepsBothFamiliesAndDropsTheVrrpv3Authentication() throws IOException {
        Importer.Result r = DUAL_STACK.run();
        ApplianceConfig c = config(r);
        assertThat(c.vrrp().version()).isEqualTo(3);
        assertThat(c.vrrp().instances().get("VI_4").authType()).isEqualTo(AuthType.NONE);
        assertThat(c.vrrp().instances().get("VI_6").vips()).extracting(VipSpec::address, VipSpec::prefixLength, VipSpec::scope)
                .containsExactly(tuple(ip("2001:db8:10::100"), 64, Optional.empty()), tuple(ip("fe80::100"), 64, Optional.of("link")));
        VirtualServerSpec vs = c.ipvs().virtualServers().get(0);
        assertThat(vs.service().key()).hasToString("[2001:db8:10::100]:443/tcp");
        assertThat(vs.service().scheduler()).isEqualTo("sh");
        assertThat(vs.realServers()).extracting(RealServerSpec::address).containsExactly(ip("2001:db8:10::11"), ip("2001:db8:10::12"));
        assertSaid(r, "/dual-stack.conf:21: not mapped: authentication: VRRP version 3 has no authentication",
                "/dual-stack.conf:29: not mapped: virtual_ipaddress_excluded:");
        // vrrp_track_process/track_process (lines 9, 32, 47) are another change's business: only that the file imports
    }

    @Test
    void legacyConfigSaysWhatItDropsLineByLine() throws IOException {
        Importer.Result r = LEGACY.run();
        ApplianceConfig c = config(r);
        InstanceSpec vi1 = c.vrrp().instances().get("VI_1");
        assertThat(vi1.authType()).isEqualTo(AuthType.NONE);
        assertThat(vi1.vips()).extracting(VipSpec::prefixLength).containsExactly(32, 32, 32);
        assertThat(vi1.trackScripts()).containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_haproxy", 2));
        assertThat(vi1.smtpAlert()).isTrue();
        assertThat(c.ipvs().syncDaemon()).hasValueSatisfying(s -> assertThat(s.vrrpInstance()).isEqualTo("VI_1"));
        // the SSL_GET server is checked by a TCP connect (vipgate speaks no TLS in checks), the TCP_CHECK one keeps its check
        assertThat(c.ipvs().virtualServers().get(0).realServers()).extracting(rs -> rs.check().type())
                .containsExactly(HealthCheckSpec.Type.TCP, HealthCheckSpec.Type.TCP);
        assertSaid(r, "/legacy-1x.conf:13: not mapped: vrrp_strict:",
                "/legacy-1x.conf:20: changed: weight: 'reverse': the script's exit status is negated",
                "/legacy-1x.conf:23: not mapped: static_ipaddress:",
                "/legacy-1x.conf:30: not mapped: mcast_src_ip:",
                "/legacy-1x.conf:37: not mapped: auth_type: only PASS authentication exists in vipgate",
                "/legacy-1x.conf:38: not mapped: auth_pass: sent only with auth_type PASS",
                "/legacy-1x.conf:47: not mapped: chk_haproxi: no vrrp_script named 'chk_haproxi'",
                "/legacy-1x.conf:51: not mapped: virtual_server_group:",
                "/legacy-1x.conf:60: not mapped: nat_mask:",
                "/legacy-1x.conf:66: changed: SSL_GET: vipgate's checkers speak no TLS");
    }

    // ---- nginx ----

    @Test
    void apiGatewayKeepsBalancingRetriesAndTimeoutsPerUpstream() throws IOException {
        Importer.Result r = API_GATEWAY.run();
        ApplianceConfig c = config(r);
        assertThat(c.lb().eventLoops()).isEqualTo(4);
        assertThat(c.lb().client().maxBodySize()).isEqualTo(20L << 20);
        assertThat(c.lb().accessLog().format()).contains("upstream=$upstream_addr rt=$request_time");
        assertThat(c.lb().accessLog().buffer()).isEqualTo(32L << 10);
        assertThat(c.lb().accessLog().flush()).isEqualTo(Duration.ofSeconds(5));

        Map<String, UpstreamSpec> u = c.lb().upstreams();
        assertThat(u.get("api_v1").algorithm()).isEqualTo(Algorithm.HASH);
        assertThat(u.get("api_v1").hashKey()).isEqualTo("$request_uri");
        assertThat(u.get("api_v1").keepalive().idle()).isEqualTo(64);
        assertThat(u.get("api_v1").keepalive().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(u.get("api_v1").nextUpstream().on()).containsExactlyInAnyOrder(RetryOn.ERROR, RetryOn.TIMEOUT,
                RetryOn.HTTP_502, RetryOn.HTTP_503);
        assertThat(u.get("api_v1").nextUpstream().tries()).isEqualTo(3);
        assertThat(u.get("api_v1").nextUpstream().timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(u.get("api_v1").connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(u.get("api_v1").sendTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(u.get("search").algorithm()).isEqualTo(Algorithm.RANDOM_TWO);
        // the location's own proxy_read_timeout wins over the server's, as in nginx
        assertThat(u.get("search").readTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(u.get("api_v1").readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(u.get("sessions").algorithm()).isEqualTo(Algorithm.HASH);
        assertThat(u.get("sessions").hashKey()).isEqualTo("$remote_addr");
        // proxy_next_upstream off: a failed request is never retried on another server
        assertThat(u.get("sessions").nextUpstream().on()).isEmpty();
        assertThat(u.get("sessions").servers()).extracting(ServerSpec::down).containsExactly(false, false, true);

        // the port-80 redirect server and the health answer are nginx's returns
        assertThat(c.lb().servers()).hasSize(2);
        assertThat(c.lb().servers().get(0).returns()).isEqualTo("301 https://$host$request_uri");
        assertThat(c.lb().servers().get(1)).satisfies(s -> {
            assertThat(s.listen()).containsExactly(HostPort.parse("0.0.0.0:8080"));
            assertThat(s.serverNames()).containsExactly("api.example.com", "api.internal.example.com");
            assertThat(s.locations()).extracting(LocationSpec::path, LocationSpec::upstream)
                    .containsExactly(tuple("/v1/", "api_v1"), tuple("/search/", "search"), tuple("/session/", "sessions"),
                            tuple("= /healthz", ""));
            assertThat(s.locations().get(3).returns()).isEqualTo("200 ok\n");
            assertThat(s.locations().subList(0, 3)).allSatisfy(l -> assertThat(l.requestHeaders()).containsEntry("Host", "$host")
                    .containsEntry("X-Forwarded-For", "$proxy_add_x_forwarded_for").doesNotContainKey("Connection"));
        });
        assertSaid(r, "/api-gateway.conf:38: changed: ip_hash: hashed on the whole client address",
                "/api-gateway.conf:67: not mapped: error_page: /srv/www/errors/50x.html is not readable on this machine",
                "/api-gateway.conf:87: not mapped: access_log: vipgate writes one access log");
    }

    @Test
    void openRestyModulesStreamAndIfAreReportedAndTheProxyingKept() throws IOException {
        Importer.Result r = OPENRESTY.run();
        ApplianceConfig c = config(r);
        // the WebSocket idiom's map is kept (vipgate passes upgrades itself, so its proxy_set_header is not needed)
        assertThat(c.lb().maps()).containsOnlyKeys("connection_upgrade");
        assertThat(c.lb().upstreams()).containsOnlyKeys("ws_backend");
        // both locations share ws_backend: the first one's proxy_read_timeout holds for it, as said
        assertThat(c.lb().upstreams().get("ws_backend").readTimeout()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(c.lb().servers()).singleElement().satisfies(s -> assertThat(s.locations())
                .extracting(LocationSpec::path).containsExactly("/socket.io/", "/"));
        assertSaid(r, "/openresty-messy.conf:9: not mapped: stream: vipgate's lb proxies HTTP only",
                "/openresty-messy.conf:21: not mapped: lua_shared_dict: vipgate runs no Lua",
                "/openresty-messy.conf:37: not mapped: more_set_headers:",
                "/openresty-messy.conf:43: not mapped: proxy_set_header: not needed: vipgate manages Connection itself",
                "/openresty-messy.conf:49: not mapped: access_by_lua_block: vipgate runs no Lua",
                "/openresty-messy.conf:58: not mapped: if: vipgate has no conditional configuration",
                "/openresty-messy.conf:61: not mapped: proxy_pass: vipgate sets timeouts, retries and the HTTP version per upstream");
    }

    // ---- helpers ----

    private static ApplianceConfig config(Importer.Result r) {
        return ApplianceConfig.parse(r.text(), "imported");
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }

    /** Each fragment ("/file.conf:12: not mapped: name: ...") is part of some finding. */
    private static void assertSaid(Importer.Result r, String... fragments) {
        List<String> said = r.report().findings().stream().map(Finding::toString).toList();
        for (String fragment : fragments) {
            assertThat(said).anySatisfy(s -> assertThat(s).contains(fragment));
        }
    }
}
