package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import vipgate.testkit.Await;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NetNs;
import vipgate.testkit.lab.ApplianceImage;
import vipgate.testkit.lab.Guest;
import vipgate.testkit.lab.VmLab;

/**
 * The ipvs engine against a real kernel: one appliance VM (the host kernel has no IPVS) running this build's jar,
 * with {@code ipvsadm} in the same guest as the oracle. Inside the guest, network namespaces make seed 004's LVS-DR
 * network: the guest itself is the director (VIP 10.4.0.120 on a bridge, by VRRP), two real servers (busybox httpd, the VIP
 * on {@code lo}, arp_ignore/arp_announce) and a client with a dozen source addresses — once from a vipgate config, once
 * from the article's own keepalived.conf imported in the guest, with the article's addresses.
 *
 * <p>vipgate runs as the appliance runs it: {@code /etc/vipgate/vipgate.conf} and {@code systemctl
 * restart/reload vipgate}. Tagged {@code vm-lab} (part of {@code mvn verify}).
 */
@Tag("vm-lab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpvsVmIT {
    private static final String VIP = "10.4.0.120";
    private static final Path SEEDS = Path.of("src/test/resources/importer/seeds");
    private static final Duration START = Duration.ofMinutes(3);
    /** Seed 004's TCP_CHECK: delay_loop 6, connect_timeout 10, nb_get_retry 3, delay_before_retry 3. */
    private static final String SEED_004_CHECK =
            "check { type = tcp, interval = 6s, connect-timeout = 10s, retry = 3, delay-before-retry = 3s, port = 80 }";
    /** Seed 004's keepalived.conf as a vipgate config: the VIP by VRRP, the LVS-DR service, the sync daemon. */
    private static final String SEED_004 = """
            vipgate {
              node-name = "lb-d"
              vrrp.instances.VI_1 { interface = br-dr, virtual-router-id = 51, priority = 100, state = master,
                advert-interval = 1s, virtual-ipaddresses = ["%s/24"] }
              ipvs.sync-daemon { interface = br-dr, vrrp-instance = VI_1 }
              ipvs.virtual-servers = [{
                address = "%s:80", scheduler = wrr, forwarding = dr, persistence-timeout = 50s
                real-servers = [
                  { address = "10.4.0.103:80", weight = 1, %s }
                  { address = "10.4.0.104:80", weight = 5, %s }
                ]
              }]
            }
            """.formatted(VIP, VIP, SEED_004_CHECK, SEED_004_CHECK);

    private VmLab lab;
    private Guest director;

    @BeforeAll
    void bootDirector() {
        NetNs.requireRoot();
        VmLab.requireTools();
        Path jar = ApplianceProcess.jar();
        ApplianceImage image = ApplianceImage.build(Path.of("image/build").toAbsolutePath(), jar,
                Path.of("target/image").toAbsolutePath());
        lab = new VmLab(image, Path.of("target/vmlab/IpvsVmIT").toAbsolutePath());
        director = lab.guest("d").jar(jar).param("node", "lb-d").param("ip", "192.0.2.31/24").memoryMiB(1536).start()
                .awaitShell();
        // the shipped config's lb and VRRP have nothing to do here; each test writes its own config
        director.sh("systemctl stop vipgate; ipvsadm -C");
    }

    @AfterAll
    void powerOff() {
        Cleanup.close(lab);
    }

    /** ipvsadm writes a table of every kind; {@code vipgate ipvs list} prints it byte for byte as ipvsadm does. */
    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void vipgateListsWhatIpvsadmWrote() {
        director.sh("""
                set -e
                ipvsadm -C
                ipvsadm -A -t 10.4.0.120:80 -s wrr -p 50
                ipvsadm -a -t 10.4.0.120:80 -r 10.4.0.103:80 -g -w 1
                ipvsadm -a -t 10.4.0.120:80 -r 10.4.0.104:80 -g -w 5 -x 100 -y 20
                ipvsadm -A -t 10.4.0.120:8080 -s rr -p 300 -M 255.255.255.0
                ipvsadm -a -t 10.4.0.120:8080 -r 10.4.0.103:9000 -m -w 2
                ipvsadm -A -u 10.4.0.120:53 -s sh -b sh-fallback,sh-port -o
                ipvsadm -a -u 10.4.0.120:53 -r 10.4.0.104:53 -i -w 0
                ipvsadm -A -f 7 -s lc
                ipvsadm -a -f 7 -r 10.4.0.103 -g
                ipvsadm -A -t [fd00:4::120]:443 -s mh -b mh-port
                ipvsadm -a -t [fd00:4::120]:443 -r [fd00:4::103]:443 -g -w 3
                """);
        for (String flags : List.of("", " --stats", " --rate")) {
            Guest.Result diff = director.run("ipvsadm -Ln" + flags + " >/tmp/ipvsadm.txt && vipgate ipvs list" + flags
                    + " >/tmp/vipgate.txt && diff -u /tmp/ipvsadm.txt /tmp/vipgate.txt", Duration.ofMinutes(2));
            assertThat(diff.ok()).as("vipgate ipvs list%s differs from ipvsadm -Ln%s:%n%s%n%s", flags, flags,
                    diff.output(), director.run("cat /tmp/ipvsadm.txt").output()).isTrue();
        }
        // the kernel's refusals come back in IPVS terms: ESRCH for a service that is not there
        Guest.Result missing = director.run("vipgate ipvs zero -t 10.9.9.9:80", Duration.ofMinutes(2));
        assertThat(missing.status()).as(missing.output()).isEqualTo(1);
        assertThat(missing.output()).contains("no such service 10.9.9.9:80/tcp");
        director.sh("vipgate ipvs zero -t 10.4.0.120:80 && vipgate ipvs zero");
        director.sh("vipgate ipvs flush");
        assertThat(director.sh("ipvsadm -Ln")).contains("IP Virtual Server version").doesNotContainPattern("(?m)^(TCP|UDP|FWM) ");
    }

    /**
     * Seed 004 from a vipgate config: ipvsadm reads back exactly the service and weights; requests through the
     * VIP reach the real servers directly routed, spread per the wrr weights across clients and kept per client by
     * persistence; a real server whose web server stops leaves the table within delay_loop + retry x
     * delay_before_retry while traffic goes on, and comes back when it answers again; a reload applies only the
     * difference and never touches ipvsadm's own service; stopping vipgate removes its services only.
     */
    @Test
    @Order(2)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void seed004DirectRoutingFromAVipgateConfig() {
        DrSegment net = new DrSegment("br-dr", "10.4.0", VIP);
        director.sh(net.up());
        director.sh("ipvsadm -A -t 10.4.0.120:8443 -s rr");   // someone else's service: vipgate must leave it alone
        // a master sync daemon left running (by hand, or by a vipgate that crashed): starting it again is EEXIST,
        // which vipgate takes as "already running" and adopts
        director.sh("ipvsadm --start-daemon master --mcast-interface br-dr --syncid 51");
        startVipgate(SEED_004);
        Await.require(Duration.ofSeconds(30), () -> "VRRP puts the VIP on br-dr: " + director.run("ip -4 addr show br-dr").output(),
                () -> director.run("ip -4 -o addr show dev br-dr").output().contains(" " + VIP + "/24 "));
        assertThat(director.sh("ipvsadm -L --daemon")).contains("master sync daemon (mcast=br-dr, syncid=51");
        assertThat(journal()).doesNotContain("WARNING vipgate.ipvs");
        assertThat(savedTable()).containsExactlyInAnyOrder(
                "-A -t 10.4.0.120:80 -s wrr -p 50",
                "-a -t 10.4.0.120:80 -r 10.4.0.103:80 -g -w 1",
                "-a -t 10.4.0.120:80 -r 10.4.0.104:80 -g -w 5",
                "-A -t 10.4.0.120:8443 -s rr");

        Map<String, String> servedBy = net.wrrOneToFiveWithPersistence();
        // the kernel's counters on the admin API: 24 connections through the VIP, RS 104 at weight 5 (the kernel
        // sums its per-CPU counters every 2 s, so the last connections show a little later)
        Await.require(Duration.ofSeconds(20), () -> "the ipvs counters on /metrics: " + ipvsMetrics(),
                () -> ipvsMetrics().contains("vipgate_ipvs_connections_total{service=\"TCP 10.4.0.120:80\"} 24\n"));
        assertThat(ipvsMetrics()).contains(
                "vipgate_ipvs_real_server_weight{service=\"TCP 10.4.0.120:80\",real_server=\"10.4.0.104:80\"} 5\n");

        net.stopWebServerUntilRemoved(103, servedBy.keySet());
        // back: one good probe (within delay_loop) puts it in again; of six new clients, wrr 1:5 sends one there
        net.startWebServerUntilAdded(103);
        assertThat(IntStream.rangeClosed(71, 76).mapToObj(c -> net.get(c)).filter("RS 103"::equals).count())
                .as("new clients on RS 103 once it is back").isEqualTo(1);

        // a reload changes one weight and adds a service: only that reaches the kernel; ipvsadm's service stays
        writeConfig(SEED_004.replace("weight = 5", "weight = 3").replace("ipvs.virtual-servers = [{", """
                ipvs.virtual-servers = [{ address = "10.4.0.120:81", scheduler = rr, forwarding = dr,
                  real-servers = [{ address = "10.4.0.104:81" }] }, {"""));
        director.sh("systemctl reload vipgate");
        Await.require(Duration.ofSeconds(60), () -> "reloaded: " + director.run("ipvsadm -S -n").output(),
                () -> director.run("ipvsadm -S -n").output().contains("-r 10.4.0.104:80 -g -w 3"));
        assertThat(director.sh("ipvsadm -S -n")).contains("-A -t 10.4.0.120:81 -s rr", "-A -t 10.4.0.120:8443 -s rr",
                "-a -t 10.4.0.120:80 -r 10.4.0.103:80 -g -w 1");
        assertThat(journal()).contains("ipvs: SET_DEST 10.4.0.104:80 of").doesNotContain("10.4.0.120:8443");

        // stopping removes vipgate's services (keepalived's default) and its sync daemon, and nothing else
        director.sh("systemctl stop vipgate");
        assertThat(savedTable()).containsExactly("-A -t 10.4.0.120:8443 -s rr");
        assertThat(director.sh("ipvsadm -L --daemon")).doesNotContain("sync daemon");
        assertThat(journal()).doesNotContain("WARNING vipgate.ipvs");
        director.sh("ipvsadm -C; " + net.down());
    }

    /**
     * Seed 004 as its readers run it, nothing rewritten by hand: the article's keepalived.conf, byte for byte, goes
     * through {@code vipgate import} in the guest and the director runs the output. The namespaces take the
     * article's addresses (VIP 192.168.1.120, real servers .103 and .104) and NIC name (eno16777736, the bridge
     * here). The article's steps: requests through the VIP are spread over both real servers; 104 goes down and
     * leaves the LVS table while 103 serves everyone; 104 comes back and is put in again.
     */
    @Test
    @Order(3)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void seed004RunsOnItsImportedKeepalivedConf() throws IOException {
        DrSegment net = new DrSegment("eno16777736", "192.168.1", "192.168.1.120");
        director.sh(net.up());
        String seed = Base64.getEncoder().encodeToString(Files.readAllBytes(SEEDS.resolve("004-keepalived-backup.conf")));
        Guest.Result imported = director.run("mkdir -p /root/seed004 && echo " + seed + " | base64 -d >/root/seed004/keepalived.conf"
                + " && vipgate import --keepalived /root/seed004/keepalived.conf -o /etc/vipgate/vipgate.conf"
                + " && vipgate check -c /etc/vipgate/vipgate.conf", Duration.ofMinutes(2));
        assertThat(imported.ok()).as("import and check in the guest: %s", imported.output()).isTrue();
        // the box is the article's BACKUP (priority 80) and alone on the segment: it takes the VIP after master_down
        startVipgateOn("/etc/vipgate/vipgate.conf");
        Await.require(Duration.ofSeconds(30), () -> "VRRP puts the VIP on eno16777736: " + director.run("ip -4 addr").output(),
                () -> director.run("ip -4 -o addr show dev eno16777736").output().contains(" 192.168.1.120/32 "));
        assertThat(savedTable()).containsExactlyInAnyOrder(
                "-A -t 192.168.1.120:80 -s wrr -p 50",
                "-a -t 192.168.1.120:80 -r 192.168.1.103:80 -g -w 1",
                "-a -t 192.168.1.120:80 -r 192.168.1.104:80 -g -w 5");
        Map<String, String> servedBy = net.wrrOneToFiveWithPersistence();

        net.stopWebServerUntilRemoved(104, servedBy.keySet());
        net.startWebServerUntilAdded(104);
        assertThat(IntStream.rangeClosed(71, 76).mapToObj(c -> net.get(c)).filter("RS 104"::equals).count())
                .as("of six new clients, wrr 1:5 sends five to RS 104 once it is back").isEqualTo(5);
        assertThat(journal()).doesNotContain("WARNING vipgate.ipvs");
        director.sh("systemctl stop vipgate");
        assertThat(savedTable()).isEmpty();
        director.sh(net.down());
    }

    /**
     * 1,000 services x 10 real servers programmed by vipgate at start, and a 1% change (100 weights) by a
     * reload, against {@code ipvsadm -R} of the same table and of the same change in the same guest. Both must
     * leave identical tables. Prints the times and their ratios (the kernel under TCG makes all of them slow; the
     * ratio is the figure).
     */
    @Test
    @Order(4)
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void programmingSpeedAgainstIpvsadmRestore() {
        // service s: 10.5.(s/250).(s%250+1):80 wrr, real servers 10.6.0.1..10 weight 1; the 1% change: the first
        // real server of every tenth service gets weight 2
        director.sh("""
                table() {
                  awk -v changed=$1 'BEGIN {
                    print "vipgate { node-name = \\"lb-d\\", ipvs.virtual-servers = ["
                    for (s = 0; s < 1000; s++) {
                      printf "{ address = \\"10.5.%d.%d:80\\", scheduler = wrr, forwarding = dr, real-servers = [", int(s / 250), s % 250 + 1
                      for (d = 1; d <= 10; d++) printf "%s{ address = \\"10.6.0.%d:80\\", weight = %d }", (d > 1 ? ", " : ""), d, (changed && d == 1 && s % 10 == 0) ? 2 : 1
                      print "] }"
                    }
                    print "] }"
                  }'
                }
                table 0 >/tmp/big.conf
                table 1 >/tmp/big-changed.conf
                awk 'BEGIN {
                  for (s = 0; s < 1000; s++) {
                    printf "-A -t 10.5.%d.%d:80 -s wrr\\n", int(s / 250), s % 250 + 1
                    for (d = 1; d <= 10; d++) printf "-a -t 10.5.%d.%d:80 -r 10.6.0.%d:80 -g -w 1\\n", int(s / 250), s % 250 + 1, d
                  }
                }' >/tmp/big.rules
                awk 'BEGIN { for (s = 0; s < 1000; s += 10) printf "-e -t 10.5.%d.%d:80 -r 10.6.0.1:80 -g -w 2\\n", int(s / 250), s % 250 + 1 }' >/tmp/change.rules
                """);

        double ipvsadmFull = seconds(director.sh("ipvsadm -C; s=$(date +%s%N); ipvsadm -R </tmp/big.rules; e=$(date +%s%N); echo $((e - s))"));
        double ipvsadmChange = seconds(director.sh("s=$(date +%s%N); ipvsadm -R </tmp/change.rules; e=$(date +%s%N); echo $((e - s))"));
        director.sh("ipvsadm -S -n | sort >/tmp/table.ipvsadm; ipvsadm -C");

        startVipgateOn("/tmp/big.conf");
        double vipgateFull = reconciledSeconds("services added: 1000, real servers added: 10000");
        director.sh("cp /tmp/big-changed.conf /etc/vipgate/vipgate.conf && systemctl reload vipgate");
        double vipgateChange = reconciledSeconds("real servers changed: 100");
        Guest.Result same = director.run("ipvsadm -S -n | sort | diff -u /tmp/table.ipvsadm - | head -20", Duration.ofMinutes(2));
        assertThat(same.output().strip()).as("vipgate's table equals ipvsadm's").isEmpty();
        director.sh("systemctl stop vipgate");
        assertThat(director.sh("ipvsadm -Ln | grep -c '^TCP' || true").strip()).isEqualTo("0");

        System.out.printf(Locale.ROOT, "[vm-lab] programming 1000 services x 10 real servers: vipgate %.2f s, ipvsadm -R %.2f s"
                + " (vipgate/ipvsadm %.2fx); a 1%% change (100 weights): vipgate %.2f s (reload: reads back and reprograms the 100 changed services),"
                + " ipvsadm -R %.2f s (%.2fx)%n", vipgateFull, ipvsadmFull, vipgateFull / ipvsadmFull, vipgateChange,
                ipvsadmChange, vipgateChange / ipvsadmChange);
    }

    private String ipvsMetrics() {
        return director.sh("curl -sf 127.0.0.1:9090/metrics | grep '^vipgate_ipvs_'");
    }

    /** {@code ipvsadm --save -n}, one rule per element. */
    private List<String> savedTable() {
        return director.sh("ipvsadm -S -n").lines().toList();
    }

    /**
     * Seed 004's LVS-DR network inside the guest: the director's bridge (VRRP adds the VIP), two real servers
     * {@code NET.103} and {@code NET.104} (busybox httpd answering "RS n", the VIP on lo, arp_ignore/arp_announce) and a
     * client namespace with the source addresses {@code NET.51-76}.
     */
    private final class DrSegment {
        private final String bridge;
        private final String net;
        private final String vip;

        DrSegment(String bridge, String net, String vip) {
            this.bridge = bridge;
            this.net = net;
            this.vip = vip;
        }

        String up() {
            StringBuilder s = new StringBuilder("""
                    set -e
                    ip link add %1$s type bridge
                    ip link set %1$s up
                    ip addr add %2$s.1/24 dev %1$s
                    """.formatted(bridge, net));
            for (int rs : new int[] {103, 104}) {
                s.append(attach("rs" + rs, net + "." + rs)).append("""
                        ip -n rs%1$d addr add %2$s/32 dev lo
                        ip netns exec rs%1$d sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
                        mkdir -p /run/www%1$d
                        echo 'RS %1$d' >/run/www%1$d/index.html
                        """.formatted(rs, vip)).append(webServer(rs));
            }
            s.append(attach("client", net + ".51"));
            for (int c = 52; c <= 76; c++) {
                s.append("ip -n client addr add ").append(net).append('.').append(c).append("/24 dev eth0\n");
            }
            return s.toString();
        }

        String down() {
            return "for rs in 103 104; do kill $(cat /run/rs$rs.pid) 2>/dev/null || true; done\n"
                    + "ip netns del rs103; ip netns del rs104; ip netns del client; ip link del " + bridge;
        }

        private String attach(String ns, String address) {
            return """
                    ip netns add %1$s
                    ip link add v-%1$s type veth peer name eth0 netns %1$s
                    ip link set v-%1$s master %3$s up
                    ip -n %1$s link set lo up
                    ip -n %1$s link set eth0 up
                    ip -n %1$s addr add %2$s/24 dev eth0
                    """.formatted(ns, address, bridge);
        }

        /** busybox httpd in the real server's namespace, in the foreground of a background job, its pid kept. */
        private static String webServer(int rs) {
            return "ip netns exec rs%1$d busybox httpd -f -p 80 -h /run/www%1$d >/dev/null 2>&1 </dev/null &\necho $! >/run/rs%1$d.pid\n"
                    .formatted(rs);
        }

        /** The body answered through the VIP to the client using source address {@code NET.c}. */
        String get(int c) {
            return get(net + "." + c);
        }

        String get(String from) {
            return director.sh("ip netns exec client curl -sf -m 5 --interface " + from + " http://" + vip + "/").strip();
        }

        /**
         * Twelve clients, two requests each: persistence keeps each on one real server, wrr 1:5 spreads them 2:10.
         * Returns which real server each client landed on.
         */
        Map<String, String> wrrOneToFiveWithPersistence() {
            Map<String, String> servedBy = new LinkedHashMap<>();
            for (int c = 51; c <= 62; c++) {
                String first = get(c);
                assertThat(get(c)).as("client %s.%d stays on its real server", net, c).isEqualTo(first);
                servedBy.put(net + "." + c, first);
            }
            assertThat(servedBy.values().stream().filter("RS 103"::equals).count()).as("clients on RS 103 (weight 1): %s", servedBy)
                    .isEqualTo(2);
            assertThat(servedBy.values().stream().filter("RS 104"::equals).count()).as("clients on RS 104 (weight 5)").isEqualTo(10);
            return servedBy;
        }

        /**
         * Stops real server {@code rs}'s web server: its TCP check fails, then three retries 3 s apart remove it from
         * the table; every client is then served by the other one.
         */
        void stopWebServerUntilRemoved(int rs, Collection<String> clients) {
            String entry = net + "." + rs + ":80";
            long stopped = System.nanoTime();
            director.sh("kill $(cat /run/rs" + rs + ".pid)");
            Await.require(Duration.ofSeconds(60), () -> "RS " + rs + " removed: " + director.run("ipvsadm -Ln").output(),
                    () -> !director.run("ipvsadm -Ln").output().contains(entry));
            double removedAfter = (System.nanoTime() - stopped) / 1e9;
            System.out.printf(Locale.ROOT, "[vm-lab] a stopped real server (%s) left the IPVS table after %.1f s%n", entry, removedAfter);
            assertThat(removedAfter).as("delay_loop 6 s + 3 retries x 3 s, plus scheduling").isLessThan(6 + 3 * 3 + 10);
            String other = rs == 103 ? "RS 104" : "RS 103";
            for (String client : clients) {
                assertThat(get(client)).as("client %s after RS %d left", client, rs).isEqualTo(other);
            }
        }

        /** Starts real server {@code rs}'s web server again: one good probe (within delay_loop) puts it back. */
        void startWebServerUntilAdded(int rs) {
            director.sh(webServer(rs));
            Await.require(Duration.ofSeconds(60), () -> "RS " + rs + " back: " + director.run("ipvsadm -Ln").output(),
                    () -> director.run("ipvsadm -Ln").output().contains(net + "." + rs + ":80"));
        }
    }

    private void writeConfig(String config) {
        director.sh("cat >/etc/vipgate/vipgate.conf <<'EOF'\n" + config + "EOF");
    }

    private void startVipgate(String config) {
        writeConfig(config);
        startVipgateOn("/etc/vipgate/vipgate.conf");
    }

    /**
     * Restarts vipgate on {@code file} (copied to /etc/vipgate/vipgate.conf) and waits until it answers; the
     * journal read by {@link #journal} starts here.
     */
    private void startVipgateOn(String file) {
        director.sh("[ " + file + " = /etc/vipgate/vipgate.conf ] || cp " + file + " /etc/vipgate/vipgate.conf\n"
                + "systemctl stop vipgate; date '+%Y-%m-%d %H:%M:%S' >/run/vg-since; systemctl start vipgate");
        Await.require(START, () -> "vipgate serving: " + director.run("systemctl status vipgate --no-pager -n 30").output(),
                () -> director.run("curl -sf 127.0.0.1:9090/healthz").ok());
    }

    /** vipgate's log since the last {@link #startVipgateOn}. */
    private String journal() {
        return director.sh("journalctl -u vipgate -o cat --no-pager --since \"$(cat /run/vg-since)\"");
    }

    private static final Pattern RECONCILED = Pattern.compile("ipvs: table reconciled in (\\d+) ms \\(([^)]*)\\)");

    /** The duration vipgate logged for the reconciliation whose summary is {@code summary}. */
    private double reconciledSeconds(String summary) {
        Await.require(START, () -> "a reconciliation of " + summary + " in the journal: " + journal(),
                () -> journal().contains("(" + summary + ")"));
        Matcher m = RECONCILED.matcher(journal());
        while (m.find()) {
            if (m.group(2).equals(summary)) {
                return Integer.parseInt(m.group(1)) / 1000.0;
            }
        }
        throw new AssertionError("no reconciliation of " + summary);
    }

    private static double seconds(String nanos) {
        return Long.parseLong(nanos.strip()) / 1e9;
    }
}
