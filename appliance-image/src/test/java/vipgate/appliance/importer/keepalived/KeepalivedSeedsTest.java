package vipgate.appliance.importer.keepalived;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vipgate.appliance.ApplianceConfig;
import vipgate.health.HealthCheckSpec;
import vipgate.health.StatusRange;
import vipgate.ipvs.config.CheckSpec;
import vipgate.ipvs.config.RealServerSpec;
import vipgate.ipvs.config.VirtualServerSpec;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.vrrp.config.InstanceSpec;
import vipgate.vrrp.config.ScriptSpec;
import vipgate.vrrp.config.VipSpec;
import vipgate.vrrp.track.TrackedObject;

/** The keepalived.conf blocks of the seed posts, damage and all, import and load with vipgate's own loader. */
class KeepalivedSeedsTest {
    @TempDir
    Path dir;

    private Imported seed(String name) throws IOException {
        return seed(name, true, Optional.empty());
    }

    private Imported seed(String name, boolean lbImported, Optional<Path> scripts) throws IOException {
        Path conf = Files.copy(Path.of("src/test/resources/importer/seeds/" + name + ".conf"), dir.resolve(name + ".conf"),
                StandardCopyOption.REPLACE_EXISTING);
        return Imported.of(conf, lbImported, scripts);
    }

    /** The seed post's script, under the name its vrrp_script runs it by, in a directory as --scripts takes it. */
    private Optional<Path> scripts(String resource, String name) throws IOException {
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        Files.copy(Path.of("src/test/resources/importer/scripts/" + resource), scripts.resolve(name));
        return Optional.of(scripts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"000-keepalived-master", "000-keepalived-backup", "001-keepalived-master", "002-keepalived-master",
            "002-keepalived-backup", "003-keepalived-master", "003-keepalived-backup", "004-keepalived-backup"})
    void importsAndLoads(String name) throws IOException {
        ApplianceConfig config = seed(name).load();
        assertThat(config.vrrp().instances()).containsKey("VI_1");
    }

    @Test
    void seed002() throws IOException {
        Imported master = seed("002-keepalived-master");
        ApplianceConfig config = master.load();
        InstanceSpec vi1 = config.vrrp().instances().get("VI_1");
        assertThat(config.nodeName()).isEqualTo("NginxNode001");
        assertThat(vi1.priority()).isEqualTo(150);
        assertThat(vi1.vrid()).isEqualTo(51);
        assertThat(vi1.iface()).isEqualTo("ens33");
        assertThat(vi1.vips()).extracting(VipSpec::address)
                .containsExactly(ip("172.16.249.80"), ip("172.16.249.90"), ip("172.16.249.100"));
        ScriptSpec check = config.vrrp().scripts().get("check_nginx");
        assertThat(check.weight()).isEqualTo(-20);
        assertThat(check.fall()).isEqualTo(2);
        assertThat(check.rise()).isEqualTo(1);
        assertThat(check.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(vi1.trackScripts()).containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "check_nginx", -20));
        // without the old box's script file it stays a script, and the report says what is lost
        assertThat(vi1.trackLb()).isEmpty();
        assertThat(master.said()).anyMatch(s -> s.endsWith(name("002-keepalived-master") + ":21: not mapped: script: the file "
                + "/etc/keepalived/check_nginx.sh could not be read (looked for /etc/keepalived/check_nginx.sh; give the old "
                + "box's scripts with --scripts DIR): if it only checks that nginx runs, replace the script by track-lb "
                + "{ enabled = true, weight = W } in the instances that track it; it stays a script, and whatever else it "
                + "does (restart nginx, killall keepalived to hand the VIP over) is no VRRP action under vipgate, only its "
                + "exit status counts"));
        assertThat(seed("002-keepalived-backup").load().vrrp().instances().get("VI_1").priority()).isEqualTo(100);
    }

    @Test
    void seed002WithItsScriptTracksTheLbWithWeight0() throws IOException {
        Path scripts = scripts("002-check_nginx.sh", "check_nginx.sh").orElseThrow();
        Imported master = seed("002-keepalived-master", true, Optional.of(scripts));
        ApplianceConfig config = master.load();
        InstanceSpec vi1 = config.vrrp().instances().get("VI_1");
        // the script exits 0 even with nginx down, so -20 never applied: killall keepalived (priority 0) moved the VIP
        assertThat(vi1.trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", 0));
        assertThat(vi1.trackScripts()).isEmpty();
        assertThat(config.vrrp().scripts()).isEmpty();
        assertThat(master.said()).anyMatch(s -> s.endsWith(":20: changed: vrrp_script: the file /etc/keepalived/check_nginx.sh "
                + "(read from " + scripts.resolve("check_nginx.sh") + "): when its nginx check ('ps -C nginx --no-header | wc -l') "
                + "fails, tries 'systemctl restart nginx' and, if nginx is still down, runs 'killall keepalived'; it exits 0 "
                + "either way (its last command is an if without else), so keepalived never applied its weight: the VIP moved "
                + "because keepalived, stopped, sent priority 0 and the backup took over at once; vipgate's instances track "
                + "their own lb engine instead (track-lb: the VIP leaves a box whose proxy has no live upstream, which a "
                + "running process does not tell). Written with weight 0: FAULT does what keepalived stopping did (priority 0, "
                + "VIPs removed, the backup master at once), but ends by itself when the lb serves again, where a stopped "
                + "keepalived waited to be started. The restart has no vipgate equivalent: the proxy runs inside vipgate, "
                + "which systemd restarts when it dies"));
        assertThat(master.hocon()).contains("becomes the built-in lb tracking with weight 0");
    }

    @Test
    void seed000WithItsScriptTracksTheLbWithWeight0() throws IOException {
        Imported backup = seed("000-keepalived-backup", true, scripts("000-check_nginx_pid.sh", "check_nginx_pid.sh"));
        assertThat(backup.load().vrrp().instances().get("VI_1").trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", 0));
    }

    @Test
    void seed004WithItsScriptKeepsTheWeightItsTimeoutGaveIt() throws IOException {
        // interval 1 (so a 1s timeout) and sleep 5: keepalived killed the script before its killall, a failure: -15
        Optional<Path> scripts = scripts("004-monitor_nginx.sh", "monitor_nginx.sh");
        InstanceSpec vi1 = seed("004-keepalived-backup", true, scripts).load().vrrp().instances().get("VI_1");
        assertThat(vi1.trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", -15));
        // without the nginx side it stays a script, and the report says what the file does
        Imported noLb = seed("004-keepalived-backup", false, scripts);
        assertThat(noLb.load().vrrp().instances().get("VI_1").trackScripts())
                .containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "monitor_nginx", -15));
        assertThat(noLb.said()).anyMatch(s -> s.contains(":14: not mapped: script: the file "
                + "/usr/local/etc/keepalived/script/monitor_nginx.sh (read from ") && s.contains("tries 'systemclt start "
                + "nginx.service'") && s.endsWith("what moved the VIP was the script's weight; it stays a script, as vipgate's "
                + "lb tracking needs the nginx.conf imported too"));
    }

    @Test
    void seed001sScriptIsReadButNotRecognised() throws IOException {
        Imported master = seed("001-keepalived-master", true, scripts("001-check_nginx_rabbitmq.sh", "check_nginx_rabbitmq.sh"));
        assertThat(master.load().vrrp().instances().get("VI_1").trackLb()).isEmpty();
        assertThat(master.said()).anyMatch(s -> s.contains(":23: not mapped: script: the file "
                + "/etc/keepalived/check_nginx_rabbitmq.sh (read from ") && s.contains(") has no command outside comments "
                + "(lines run together when copied?); it stays a script"));
    }

    @Test
    void seed004() throws IOException {
        ApplianceConfig config = seed("004-keepalived-backup").load();
        assertThat(config.ipvs().virtualServers()).hasSize(1);
        VirtualServerSpec vs = config.ipvs().virtualServers().get(0);
        assertThat(vs.service().key()).hasToString("192.168.1.120:80/tcp");
        assertThat(vs.service().scheduler()).isEqualTo("wrr");
        assertThat(vs.forwarding()).isEqualTo(Forwarding.DIRECT_ROUTE);
        assertThat(vs.service().timeout()).isEqualTo(50);
        assertThat(vs.realServers()).extracting(RealServerSpec::address).containsExactly(ip("192.168.1.103"), ip("192.168.1.104"));
        assertThat(vs.realServers()).extracting(RealServerSpec::weight).containsExactly(1, 5);
        // delay_loop 6 -> interval (and keepalived's warmup, which defaults to it), connect_timeout 10, nb_get_retry 3,
        // delay_before_retry 3, connect_port 80; the rest vipgate's (= keepalived's) defaults
        CheckSpec tcp = new CheckSpec(HealthCheckSpec.Type.TCP, Duration.ofSeconds(6), Duration.ofSeconds(10), 3,
                Duration.ofSeconds(3), Duration.ofSeconds(6), 80, "/", StatusRange.parse("200-299"), "", List.of());
        assertThat(vs.realServers()).extracting(RealServerSpec::port, RealServerSpec::check)
                .containsExactly(tuple(80, tcp), tuple(80, tcp));
        InstanceSpec vi1 = config.vrrp().instances().get("VI_1");
        assertThat(vi1.priority()).isEqualTo(80);
        assertThat(vi1.trackScripts()).containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "monitor_nginx", -15));
    }

    @Test
    void seed001IsUnicastWithNotifyScriptsAndMail() throws IOException {
        ApplianceConfig config = seed("001-keepalived-master").load();
        InstanceSpec vi1 = config.vrrp().instances().get("VI_1");
        assertThat(vi1.unicastSource()).contains(ip("192.168.64.133"));
        assertThat(vi1.unicastPeers()).containsExactly(ip("192.168.64.130"));
        assertThat(vi1.notifyCommands().master()).containsExactly("/etc/keepalived/notify.sh", "master");
        assertThat(config.vrrp().smtp().to()).containsExactly("xx@xx.com");
        assertThat(config.vrrp().scripts().get("chk_nginx").weight()).isEqualTo(-2);
    }

    @Test
    void seed003IsRepairedOfItsSlashComments() throws IOException {
        Imported master = seed("003-keepalived-master");
        InstanceSpec vi1 = master.load().vrrp().instances().get("VI_1");
        assertThat(vi1.iface()).isEqualTo("eth0");
        assertThat(vi1.priority()).isEqualTo(101);
        assertThat(master.said()).anyMatch(s -> s.endsWith(":17: not mapped: virtual_router_id: extra words ignored: 路由标识"));
    }

    private String name(String seed) {
        return dir.resolve(seed + ".conf").toString();
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }
}
