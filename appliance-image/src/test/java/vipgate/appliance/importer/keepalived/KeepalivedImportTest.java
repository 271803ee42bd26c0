package vipgate.appliance.importer.keepalived;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.ApplianceConfig;
import vipgate.appliance.importer.Finding;
import vipgate.health.HealthCheckSpec;
import vipgate.ipvs.config.CheckSpec;
import vipgate.ipvs.config.RealServerSpec;
import vipgate.ipvs.config.SyncDaemonSpec;
import vipgate.ipvs.config.VirtualServerSpec;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.Timeouts;
import vipgate.vrrp.config.InstanceSpec;
import vipgate.vrrp.config.ScriptSpec;
import vipgate.vrrp.config.VipSpec;
import vipgate.vrrp.state.State;
import vipgate.vrrp.track.TrackedObject;
import vipgate.vrrp.wire.AuthType;

/** One directive family at a time: what it becomes in vipgate's config (read back by vipgate's loader) and what is said. */
class KeepalivedImportTest {
    @TempDir
    Path dir;

    private static final String INSTANCE = """
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress {
                192.168.1.50/24
              }
            %s}
            """;

    private Imported imported(String text) throws IOException {
        return Imported.text(dir, text, true);
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }

    @Test
    void globalDefs() throws IOException {
        Imported i = imported("""
                global_defs {
                  notification_email {
                    ops@example.com
                  }
                  notification_email_from lb@example.com
                  smtp_server 192.168.200.1 2525
                  smtp_connect_timeout 10
                  router_id lb-a
                  vrrp_version 3
                  enable_script_security
                  script_user nobody
                  vrrp_skip_check_adv_addr
                  vrrp_garp_master_delay 10
                  vrrp_garp_master_refresh 60
                  no_such_thing 1
                }
                """ + INSTANCE.formatted("  smtp_alert\n  garp_master_delay 2\n").replace("/24", ""));
        ApplianceConfig c = i.load();
        assertThat(c.nodeName()).isEqualTo("lb-a");
        assertThat(c.vrrp().version()).isEqualTo(3);
        assertThat(c.vrrp().smtp().server()).isEqualTo("192.168.200.1");
        assertThat(c.vrrp().smtp().port()).isEqualTo(2525);
        assertThat(c.vrrp().smtp().from()).isEqualTo("lb@example.com");
        assertThat(c.vrrp().smtp().to()).containsExactly("ops@example.com");
        assertThat(c.vrrp().smtp().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.vrrp().smtp().routerId()).isEqualTo("lb-a");
        InstanceSpec vi1 = c.vrrp().instances().get("VI_1");
        assertThat(vi1.smtpAlert()).isTrue();
        // the instance's own garp line wins over global_defs'
        assertThat(vi1.garp().masterDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(vi1.garp().masterRefresh()).isEqualTo(Duration.ofSeconds(60));
        assertThat(i.said()).containsExactly(
                dir.resolve("keepalived.conf") + ":10: not mapped: enable_script_security: always on in vipgate: a script "
                        + "writable by others is refused when running as root",
                dir.resolve("keepalived.conf") + ":11: not mapped: script_user: scripts run as vipgate's user",
                dir.resolve("keepalived.conf") + ":12: not mapped: vrrp_skip_check_adv_addr: vipgate checks every advert's "
                        + "addresses, as keepalived does without it",
                dir.resolve("keepalived.conf") + ":15: not mapped: no_such_thing: no vipgate equivalent in global_defs");
    }

    @Test
    void vrrpScriptsKeepKeepalivedsWeights() throws IOException {
        Imported i = imported("""
                vrrp_script chk_app {
                  script "/usr/local/bin/check-app --port 8080"
                  interval 2
                  timeout 1.5
                  weight -30
                  fall 3
                  rise 2
                  init_fail
                  user nobody
                }
                vrrp_script chk_db {
                  script /usr/local/bin/check-db
                  weight 10
                }
                """ + INSTANCE.formatted("""
                  track_script {
                    chk_app
                    chk_db weight 0
                    chk_missing
                  }
                """));
        ApplianceConfig c = i.load();
        ScriptSpec app = c.vrrp().scripts().get("chk_app");
        assertThat(app.command()).containsExactly("/usr/local/bin/check-app", "--port", "8080");
        assertThat(app.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(app.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(app.weight()).isEqualTo(-30);
        assertThat(app.fall()).isEqualTo(3);
        assertThat(app.rise()).isEqualTo(2);
        assertThat(app.initFail()).isTrue();
        // without a weight of its own a track takes the script's; weight 0 makes a failure FAULT, as in keepalived
        assertThat(c.vrrp().instances().get("VI_1").trackScripts()).containsExactly(
                new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_app", -30), new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_db", 0));
        assertThat(i.said()).anyMatch(s -> s.endsWith(":9: not mapped: user: scripts run as vipgate's user; make the script safe for it"))
                .anyMatch(s -> s.endsWith(":24: not mapped: chk_missing: no vrrp_script named 'chk_missing'; not tracked"));
    }

    @Test
    void aScriptThatOnlyChecksNginxBecomesLbTracking() throws IOException {
        for (String command : List.of("killall -0 nginx", "/usr/bin/killall -0 nginx", "pidof nginx", "ps -C nginx",
                "/bin/sh -c 'ps -ef | grep nginx | grep -v grep'", "nc -z 127.0.0.1 80",
                "/bin/bash -c 'nmap localhost -p 80 | grep 80/tcp.open'")) {
            Imported i = imported("vrrp_script chk_nginx {\n  script \"" + command + "\"\n  weight -20\n}\n"
                    + INSTANCE.formatted("  track_script {\n    chk_nginx\n  }\n"));
            InstanceSpec vi1 = i.load().vrrp().instances().get("VI_1");
            assertThat(vi1.trackLb()).as(command).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", -20));
            assertThat(vi1.trackScripts()).as(command).isEmpty();
            assertThat(i.findings()).as(command).singleElement().extracting(Finding::kind).isEqualTo(Finding.Kind.CHANGED);
            assertThat(i.hocon()).contains("becomes the built-in lb tracking, same weight");
        }
        // the track's own weight goes with it
        Imported own = imported("vrrp_script chk_nginx {\n  script \"pidof nginx\"\n}\n"
                + INSTANCE.formatted("  track_script {\n    chk_nginx weight -50\n  }\n"));
        assertThat(own.load().vrrp().instances().get("VI_1").trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", -50));
    }

    @Test
    void otherScriptsStayScripts() throws IOException {
        for (String command : List.of("nc -z 127.0.0.1 5672", "/etc/keepalived/check_nginx.sh", "ps -C nginx --no-header | wc -l",
                "killall -0 haproxy")) {
            Imported i = imported("vrrp_script chk {\n  script \"" + command + "\"\n}\n"
                    + INSTANCE.formatted("  track_script {\n    chk\n  }\n"));
            InstanceSpec vi1 = i.load().vrrp().instances().get("VI_1");
            assertThat(vi1.trackLb()).as(command).isEmpty();
            assertThat(vi1.trackScripts()).as(command).extracting(TrackedObject::name).containsExactly("chk");
        }
        // without the nginx side imported there is no lb engine to track
        Imported noLb = Imported.text(dir, "vrrp_script chk {\n  script \"killall -0 nginx\"\n}\n"
                + INSTANCE.formatted("  track_script {\n    chk\n  }\n"), false);
        assertThat(noLb.load().vrrp().instances().get("VI_1").trackLb()).isEmpty();
        assertThat(noLb.findings()).isEmpty();
    }

    @Test
    void trackedScriptFilesAreReadFromTheirPathOrTheScriptsDirectory() throws IOException {
        Path own = Files.writeString(dir.resolve("check_nginx.sh"), "#!/bin/bash\npidof nginx\n");
        Path scripts = Files.createDirectories(dir.resolve("old-box"));
        Files.writeString(scripts.resolve("check.sh"), "#!/bin/bash\nif ! pidof nginx; then killall keepalived; fi\n");
        String conf = "vrrp_script chk {\n  script \"%s\"\n  weight -20\n}\n" + INSTANCE.formatted("  track_script {\n    chk\n  }\n");
        // read where it says: the file's exit status is pidof's, so the weight goes with it
        Imported byPath = Imported.text(dir, conf.formatted("bash " + own), true);
        assertThat(byPath.load().vrrp().instances().get("VI_1").trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", -20));
        assertThat(byPath.said()).singleElement().asString().contains("changed: vrrp_script: the file " + own + ": runs one "
                + "command: 'pidof nginx' only checks that an nginx process exists");
        // found by its name in --scripts: it gives the VIP up by stopping keepalived, so weight 0
        Imported byName = Imported.of(Files.writeString(dir.resolve("keepalived.conf"), conf.formatted("/etc/keepalived/check.sh")),
                true, Optional.of(scripts));
        assertThat(byName.load().vrrp().instances().get("VI_1").trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", 0));
        assertThat(byName.said()).singleElement().asString().contains("the file /etc/keepalived/check.sh (read from "
                + scripts.resolve("check.sh") + "): when its nginx check ('pidof nginx') fails, runs 'killall keepalived'");
        // read, not recognised: a script, and said so
        Files.writeString(scripts.resolve("check.sh"), "#!/bin/bash\nkillall -0 nginx && nc -z 127.0.0.1 5672\n");
        Imported other = Imported.of(dir.resolve("keepalived.conf"), true, Optional.of(scripts));
        assertThat(other.load().vrrp().instances().get("VI_1").trackScripts()).extracting(TrackedObject::name).containsExactly("chk");
        assertThat(other.said()).singleElement().asString().contains("not mapped: script: the file /etc/keepalived/check.sh "
                + "(read from " + scripts.resolve("check.sh") + ") was read, but is none of the nginx checks the importer "
                + "recognises; it stays a script");
        // nowhere to be read
        Imported missing = Imported.text(dir, conf.formatted("/nonexistent/check_nginx.sh"), true);
        assertThat(missing.said()).singleElement().asString().contains("the file /nonexistent/check_nginx.sh could not be "
                + "read (looked for /nonexistent/check_nginx.sh; give the old box's scripts with --scripts DIR)");
    }

    @Test
    void aTrackedNginxProcessBecomesLbTrackingOnlyWithTheLbImported() throws IOException {
        String conf = """
                vrrp_track_process track_nginx {
                  process nginx
                  weight -30
                  quorum 1
                }
                vrrp_track_process track_mq {
                  process beam.smp
                }
                """ + INSTANCE.formatted("  track_process {\n    track_nginx\n    track_mq\n  }\n");
        Imported lb = imported(conf);
        assertThat(lb.load().vrrp().instances().get("VI_1").trackLb()).contains(new TrackedObject(TrackedObject.Kind.LB, "lb", -30));
        assertThat(lb.said()).containsExactly(
                dir.resolve("keepalived.conf") + ":4: not mapped: quorum: track-lb has no such setting; it follows the lb "
                        + "engine directly",
                dir.resolve("keepalived.conf") + ":1: changed: vrrp_track_process: 'process nginx' only checks that an nginx "
                        + "process exists; vipgate's instances track their own lb engine instead (track-lb: the VIP leaves a "
                        + "box whose proxy has no live upstream, which a running process does not tell)",
                dir.resolve("keepalived.conf") + ":6: not mapped: vrrp_track_process: vipgate tracks no processes; write a "
                        + "vrrp_script that checks it (e.g. pidof NAME) instead",
                dir.resolve("keepalived.conf") + ":17: not mapped: track_mq: vipgate tracks no processes (see the "
                        + "vrrp_track_process); not tracked");
        Imported noLb = Imported.text(dir, conf, false);
        assertThat(noLb.load().vrrp().instances().get("VI_1").trackLb()).isEmpty();
        assertThat(noLb.said()).contains(dir.resolve("keepalived.conf") + ":1: not mapped: vrrp_track_process: vipgate "
                + "tracks no processes; import the nginx.conf too to track vipgate's own lb engine instead");
    }

    @Test
    void vrrpInstance() throws IOException {
        Imported i = imported(INSTANCE.formatted("""
                  state BACKUP
                  priority 120
                  advert_int 2
                  nopreempt
                  preempt_delay 30
                  authentication {
                    auth_type PASS
                    auth_pass 123456789
                  }
                  virtual_ipaddress {
                    10.0.0.5/24 dev eth1 label eth1:1 no_track
                    10.0.0.6 brd 10.0.0.255 scope global
                    not-an-address
                  }
                  unicast_src_ip 10.0.0.1
                  unicast_peer {
                    10.0.0.2
                  }
                  track_interface {
                    eth1 weight -10
                    eth2
                  }
                  notify_master "/etc/keepalived/notify.sh master"
                  notify /etc/keepalived/notify-any.sh
                  mcast_src_ip 10.0.0.1
                """));
        InstanceSpec vi1 = i.load().vrrp().instances().get("VI_1");
        assertThat(vi1.initialState()).isEqualTo(State.BACKUP);
        assertThat(vi1.priority()).isEqualTo(120);
        assertThat(vi1.advertIntervalCentis()).isEqualTo(200);
        assertThat(vi1.preempt()).isFalse();
        assertThat(vi1.preemptDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(vi1.authType()).isEqualTo(AuthType.PASS);
        assertThat(vi1.password()).isEqualTo("12345678");
        assertThat(vi1.vips()).extracting(VipSpec::address).containsExactly(ip("192.168.1.50"), ip("10.0.0.5"), ip("10.0.0.6"));
        assertThat(vi1.vips().get(1).device()).contains("eth1");
        assertThat(vi1.vips().get(1).label()).contains("eth1:1");
        assertThat(vi1.vips().get(2).broadcast()).contains(ip("10.0.0.255"));
        assertThat(vi1.unicastSource()).contains(ip("10.0.0.1"));
        assertThat(vi1.unicastPeers()).containsExactly(ip("10.0.0.2"));
        assertThat(vi1.trackInterfaces()).containsExactly(new TrackedObject(TrackedObject.Kind.INTERFACE, "eth1", -10),
                new TrackedObject(TrackedObject.Kind.INTERFACE, "eth2", 0));
        assertThat(vi1.notifyCommands().master()).containsExactly("/etc/keepalived/notify.sh", "master");
        assertThat(vi1.notifyCommands().any()).containsExactly("/etc/keepalived/notify-any.sh");
        assertThat(i.said()).anyMatch(s -> s.endsWith(":14: changed: auth_pass: keepalived puts only the first 8 characters on the "
                        + "wire; written as such"))
                .anyMatch(s -> s.endsWith(":17: not mapped: 10.0.0.5/24: address options [no_track] have no vipgate equivalent; "
                        + "the address is kept"))
                .anyMatch(s -> s.endsWith(":19: not mapped: not-an-address: 'not-an-address' is not an IP address; left out"))
                .anyMatch(s -> s.endsWith(":31: not mapped: mcast_src_ip: vipgate sends multicast adverts from the interface's "
                        + "primary address"));
    }

    @Test
    void nopreemptOnAMasterIsIgnoredAsKeepalivedDoes() throws IOException {
        Imported i = imported(INSTANCE.formatted("  state MASTER\n  nopreempt\n  preempt_delay 5\n"));
        InstanceSpec vi1 = i.load().vrrp().instances().get("VI_1");
        assertThat(vi1.initialState()).isEqualTo(State.MASTER);
        assertThat(vi1.preempt()).isTrue();
        assertThat(i.said()).hasSize(2).allMatch(s -> s.contains("keepalived ignores it with state MASTER or priority 255"));
    }

    @Test
    void authenticationVipgateWouldRefuseIsLeftOutAsKeepalivedIgnoresIt() throws IOException {
        String auth = "  authentication {\n    auth_type %s\n    auth_pass 1111\n  }\n";
        Imported ah = imported(INSTANCE.formatted(auth.formatted("AH")));
        assertThat(ah.load().vrrp().instances().get("VI_1").authType()).isEqualTo(AuthType.NONE);
        assertThat(ah.said()).satisfiesExactly(
                s -> assertThat(s).endsWith(":8: not mapped: auth_type: only PASS authentication exists in vipgate (AH is gone "
                        + "from keepalived 2.x too); adverts go unauthenticated"),
                s -> assertThat(s).endsWith(":9: not mapped: auth_pass: sent only with auth_type PASS; left out"));

        // VRRPv3 has no authentication field; the block is a leftover keepalived warns about and ignores
        Imported v3 = imported("global_defs {\n  vrrp_version 3\n}\n" + INSTANCE.formatted(auth.formatted("PASS")));
        assertThat(v3.load().vrrp().instances().get("VI_1").authType()).isEqualTo(AuthType.NONE);
        assertThat(v3.said()).singleElement().asString().endsWith(":10: not mapped: authentication: VRRP version 3 has no "
                + "authentication (keepalived ignores the block too); left out");
    }

    /**
     * keepalived's {@code weight N reverse} turns the adjustment round (success subtracts, failure adds): the same
     * weight on the negated exit status does exactly that; on a track line it cannot be said, so it is not tracked.
     */
    @Test
    void reverseWeightNegatesTheScript() throws Exception {
        Imported i = imported("""
                vrrp_script chk_backup_job {
                  script "pgrep -x rsync"
                  weight -30 reverse
                }
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 51
                  priority 100
                  virtual_ipaddress {
                    10.0.0.5
                  }
                  track_script {
                    chk_backup_job
                    chk_backup_job weight 5 reverse
                  }
                }
                """);
        ApplianceConfig c = i.load();
        ScriptSpec script = c.vrrp().scripts().get("chk_backup_job");
        assertThat(script.weight()).isEqualTo(-30);
        assertThat(script.command()).containsExactly("/bin/sh", "-c", "! \"$0\" \"$@\"", "pgrep", "-x", "rsync");
        assertThat(c.vrrp().instances().get("VI_1").trackScripts()).containsExactly(
                new TrackedObject(TrackedObject.Kind.SCRIPT, "chk_backup_job", -30));
        // the negation really inverts the exit status and passes the arguments through
        assertThat(exitStatus(script.command().subList(0, 3), "false")).isZero();
        assertThat(exitStatus(script.command().subList(0, 3), "test", "a", "=", "a")).isEqualTo(1);
        assertThat(i.said()).satisfiesExactly(
                s -> assertThat(s).endsWith(":3: changed: weight: 'reverse': the script's exit status is negated (sh -c '! "
                        + "...') and the weight kept, which adjusts the priority as keepalived's reverse does"),
                s -> assertThat(s).endsWith(":14: not mapped: chk_backup_job: 'reverse' on a track line has no vipgate "
                        + "equivalent (tracking it with the weight the usual way round would turn its meaning over); not "
                        + "tracked; a vrrp_script's own weight N reverse is imported"));
    }

    private static int exitStatus(List<String> shell, String... command) throws Exception {
        List<String> argv = new ArrayList<>(shell);
        argv.addAll(List.of(command));
        return new ProcessBuilder(argv).start().waitFor();
    }

    @Test
    void lvsTimeouts() throws IOException {
        Imported i = imported("global_defs {\n  lvs_timeouts tcp 7200 tcpfin 120 udp 60\n}\n");
        assertThat(i.load().ipvs().timeouts()).isEqualTo(new Timeouts(7200, 120, 60));
        assertThat(i.said()).isEmpty();
        // what is left out is the kernel's own value (0s)
        Imported some = imported("global_defs {\n  lvs_timeouts udp 30 tcpfin\n}\n");
        assertThat(some.load().ipvs().timeouts()).isEqualTo(new Timeouts(0, 0, 30));
        assertThat(some.said()).containsExactly(dir.resolve("keepalived.conf") + ":2: not mapped: lvs_timeouts: 'tcpfin': "
                + "write tcp|tcpfin|udp SECONDS; left out");
    }

    @Test
    void syncGroupsAndTheLvsSyncDaemon() throws IOException {
        Imported i = imported("""
                global_defs {
                  lvs_sync_daemon eth1 VI_1 id 7 maxlen 1400
                }
                vrrp_sync_group G1 {
                  group {
                    VI_1
                    VI_2
                  }
                  notify_master "/etc/keepalived/group.sh master"
                }
                """ + INSTANCE.formatted("") + INSTANCE.replace("VI_1", "VI_2").replace("51", "52").formatted(""));
        ApplianceConfig c = i.load();
        assertThat(c.vrrp().syncGroups().get("G1").instances()).containsExactly("VI_1", "VI_2");
        assertThat(c.vrrp().syncGroups().get("G1").notifyCommands().master()).containsExactly("/etc/keepalived/group.sh", "master");
        SyncDaemonSpec sync = c.ipvs().syncDaemon().orElseThrow();
        assertThat(sync.interfaceName()).isEqualTo("eth1");
        assertThat(sync.vrrpInstance()).isEqualTo("VI_1");
        assertThat(sync.syncId()).hasValue(7);
        assertThat(i.said()).singleElement().asString().endsWith(":2: not mapped: lvs_sync_daemon: 'maxlen 1400' has no vipgate "
                + "equivalent (the kernel's defaults apply)");
    }

    @Test
    void syncGroupMembersTrackWithoutWeightsAsInKeepalived() throws IOException {
        String members = """
                vrrp_script chk {
                  script "/usr/bin/true"
                  weight -20
                }
                vrrp_script chk0 {
                  script "/usr/bin/true"
                }
                """ + INSTANCE.formatted("""
                  track_interface {
                    eth1 weight -30
                  }
                  track_script {
                    chk
                    chk0
                  }
                """);
        Imported grouped = imported("vrrp_sync_group G1 {\n  group {\n    VI_1\n  }\n}\n" + members);
        InstanceSpec vi1 = grouped.load().vrrp().instances().get("VI_1");
        assertThat(vi1.trackInterfaces()).containsExactly(new TrackedObject(TrackedObject.Kind.INTERFACE, "eth1", 0));
        assertThat(vi1.trackScripts()).containsExactly(new TrackedObject(TrackedObject.Kind.SCRIPT, "chk0", 0));
        assertThat(grouped.said()).satisfiesExactly(
                s -> assertThat(s).endsWith(":20: changed: eth1: keepalived ignores tracking weights in a vrrp_sync_group (no "
                        + "sync_group_tracking_weight there): down puts the instance and its group in FAULT; written as weight 0"),
                s -> assertThat(s).endsWith(":23: not mapped: chk: keepalived does not track a script with a weight in a "
                        + "vrrp_sync_group (no sync_group_tracking_weight there), so neither does the import; track it with "
                        + "weight 0 to have its failure put the group in FAULT"));

        Imported weighted = imported("vrrp_sync_group G1 {\n  group {\n    VI_1\n  }\n  sync_group_tracking_weight\n}\n" + members);
        InstanceSpec kept = weighted.load().vrrp().instances().get("VI_1");
        assertThat(kept.trackInterfaces()).containsExactly(new TrackedObject(TrackedObject.Kind.INTERFACE, "eth1", -30));
        assertThat(kept.trackScripts()).extracting(TrackedObject::weight).containsExactly(-20, 0);
        assertThat(weighted.said()).isEmpty();
    }

    @Test
    void virtualServers() throws IOException {
        Imported i = imported("""
                virtual_server 10.0.0.10 80 {
                  lb_algo rr
                  lb_kind NAT
                  protocol TCP
                  persistence_timeout 300
                  persistence_granularity 255.255.255.0
                  quorum 2
                  hysteresis 1
                  sorry_server 10.0.1.99 8080
                  virtualhost www.example.com
                  alpha
                  quorum_down "/etc/keepalived/quorum.sh down"
                  real_server 10.0.1.1 8080 {
                    weight 3
                    inhibit_on_failure
                    notify_down "/etc/keepalived/rs.sh down"
                    HTTP_GET {
                      url {
                        path /healthz
                        status_code 200
                        digest 0123
                      }
                      url {
                        path /other
                      }
                      connect_timeout 3
                      retry 2
                      delay_loop 10
                    }
                  }
                  real_server 10.0.1.2 8080 {
                    inhibit_on_failure
                    MISC_CHECK {
                      misc_path "/usr/local/bin/check 10.0.1.2"
                      misc_timeout 4
                    }
                  }
                  real_server 10.0.1.3 8080 {
                    inhibit_on_failure
                    SSL_GET {
                    }
                  }
                }
                virtual_server fwmark 5 {
                  persistence_timeout 60
                  real_server 10.0.2.1 {
                  }
                }
                virtual_server_group web {
                }
                """);
        ApplianceConfig c = i.load();
        VirtualServerSpec vs = c.ipvs().virtualServers().get(0);
        assertThat(vs.service().key()).hasToString("10.0.0.10:80/tcp");
        assertThat(vs.service().scheduler()).isEqualTo("rr");
        assertThat(vs.forwarding()).isEqualTo(Forwarding.MASQ);
        assertThat(vs.service().timeout()).isEqualTo(300);
        assertThat(vs.quorum()).isEqualTo(2);
        assertThat(vs.hysteresis()).isEqualTo(1);
        assertThat(vs.sorryServer()).contains(new VirtualServerSpec.SorryServer(ip("10.0.1.99"), 8080));
        assertThat(vs.alpha()).isTrue();
        assertThat(vs.inhibitOnFailure()).isTrue();
        assertThat(vs.notifyQuorumDown()).containsExactly("/etc/keepalived/quorum.sh", "down");
        assertThat(vs.realServers().get(0).weight()).isEqualTo(3);
        assertThat(vs.realServers().get(0).notifyDown()).containsExactly("/etc/keepalived/rs.sh", "down");
        CheckSpec http = vs.realServers().get(0).check();
        assertThat(http.type()).isEqualTo(HealthCheckSpec.Type.HTTP);
        assertThat(http.path()).isEqualTo("/healthz");
        assertThat(http.expectStatus()).hasToString("200");
        assertThat(http.host()).isEqualTo("www.example.com");
        assertThat(http.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(http.retry()).isEqualTo(2);
        assertThat(http.interval()).isEqualTo(Duration.ofSeconds(10));
        CheckSpec misc = vs.realServers().get(1).check();
        assertThat(misc.type()).isEqualTo(HealthCheckSpec.Type.SCRIPT);
        assertThat(misc.script()).containsExactly("/usr/local/bin/check", "10.0.1.2");
        assertThat(misc.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        // keepalived's default delay_loop, 60s, is vipgate's
        assertThat(misc.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(vs.realServers().get(2).check().type()).as("SSL_GET as a TCP connect").isEqualTo(HealthCheckSpec.Type.TCP);
        VirtualServerSpec fwmark = c.ipvs().virtualServers().get(1);
        assertThat(fwmark.service().key()).hasToString("fwmark 5");
        assertThat(fwmark.forwarding()).isEqualTo(Forwarding.MASQ);
        assertThat(i.said()).anyMatch(s -> s.endsWith(":21: not mapped: digest: vipgate checks the status code only"))
                .anyMatch(s -> s.endsWith(":23: not mapped: url: vipgate checks one url per real server; the first one is kept"))
                .anyMatch(s -> s.endsWith(":40: changed: SSL_GET: vipgate's checkers speak no TLS: a TCP connect to the real "
                        + "server's port stands in (the handshake, url, status and digest are not checked)"))
                .anyMatch(s -> s.endsWith(":49: not mapped: virtual_server_group: no virtual_server group web uses it; left out"));
    }

    /** keepalived's virtual_server group: one vipgate virtual server per address, range member and fwmark. */
    @Test
    void aVirtualServerGroupBecomesOneVirtualServerPerService() throws IOException {
        Imported i = imported("""
                virtual_server group web {
                  lb_algo wrr
                  lb_kind DR
                  real_server 10.0.1.1 {
                    weight 2
                    TCP_CHECK {
                      connect_timeout 3
                    }
                  }
                }
                virtual_server_group web {
                  10.0.0.10 80
                  10.0.0.20-22 443
                  fwmark 7
                  10.0.0.30-29 80
                  www.example.com 80
                }
                virtual_server group nobody {
                }
                """);
        List<VirtualServerSpec> services = i.load().ipvs().virtualServers();
        assertThat(services).extracting(vs -> vs.service().key().toString()).containsExactly(
                "10.0.0.10:80/tcp", "10.0.0.20:443/tcp", "10.0.0.21:443/tcp", "10.0.0.22:443/tcp", "fwmark 7");
        assertThat(services).allSatisfy(vs -> {
            assertThat(vs.service().scheduler()).isEqualTo("wrr");
            assertThat(vs.forwarding()).isEqualTo(Forwarding.DIRECT_ROUTE);
            assertThat(vs.realServers()).singleElement().extracting(RealServerSpec::weight).isEqualTo(2);
        });
        assertThat(services.get(0).realServers().get(0).check().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        // the fwmark service's real server has no port, and the TCP_CHECK no connect_port: nothing it could probe
        assertThat(services.get(4).realServers().get(0).check().enabled()).isFalse();
        // a real server without a port takes the service's, as in keepalived
        assertThat(services.get(1).realServers().get(0).port()).isEqualTo(443);
        assertThat(i.said()).map(s -> s.substring(s.lastIndexOf('/') + 1)).containsExactlyInAnyOrder(
                "keepalived.conf:6: not mapped: TCP_CHECK: nothing to probe: the real server has no port (a fwmark service) "
                        + "and the check no connect_port; write connect_port",
                "keepalived.conf:15: not mapped: 10.0.0.30-29: a virtual_server_group entry is IP PORT, A.B.C.D-E PORT or fwmark N; left out",
                "keepalived.conf:16: not mapped: www.example.com: a virtual_server_group entry is IP PORT, A.B.C.D-E PORT or fwmark N; left out",
                "keepalived.conf:18: not mapped: virtual_server: no virtual_server_group nobody is defined; left out");
    }

    @Test
    void truncatedAndShuffledConfigsNeverThrow() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String seed : List.of("001-keepalived-master", "004-keepalived-backup")) {
            lines.addAll(Files.readAllLines(Path.of("src/test/resources/importer/seeds/" + seed + ".conf")));
        }
        for (int end = 0; end <= lines.size(); end += 3) {
            imported(String.join("\n", lines.subList(0, end)));
        }
        Random random = new Random(7);
        for (int run = 0; run < 200; run++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                String line = lines.get(random.nextInt(lines.size()));
                text.append(line, 0, random.nextInt(line.length() + 1)).append('\n');
            }
            imported(text.toString());
        }
    }

    @Test
    void unknownAndBrokenDirectivesAreReportedNeverThrown() throws IOException {
        Imported i = imported("""
                frobnicate {
                  x 1
                }
                vrrp_instance {
                }
                virtual_server 10.0.0.1 {
                }
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id fifty-one
                  priority
                  advert_int soon
                  state LEADER
                  virtual_ipaddress {
                    10.0.0.5
                  }
                  track_script {
                    chk weight
                  }
                  zap
                }
                """);
        assertThat(i.findings()).extracting(Finding::kind).containsOnly(Finding.Kind.NOT_MAPPED);
        assertThat(i.said()).anyMatch(s -> s.endsWith(":1: not mapped: frobnicate: unknown or unsupported keepalived directive"))
                .anyMatch(s -> s.endsWith(":10: not mapped: virtual_router_id: 'fifty-one' is not a whole number; left out"))
                .anyMatch(s -> s.endsWith(":11: not mapped: priority: needs a value; left out"))
                .anyMatch(s -> s.endsWith(":13: not mapped: state: state is MASTER or BACKUP; vipgate starts as backup"))
                .anyMatch(s -> s.endsWith(":20: not mapped: zap: no vipgate equivalent in a VRRP instance"));
        assertThat(i.hocon()).contains("interface = \"eth0\"");
    }
}
