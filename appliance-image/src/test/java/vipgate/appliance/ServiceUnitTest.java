package vipgate.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped systemd unit runs the JVM, HTTP parser included, as the unprivileged vipgate user with only the
 * capabilities the engines use, in systemd's sandbox. (The VM lab's ApplianceVmIT checks the running process.)
 */
class ServiceUnitTest {
    private static final Path UNIT = Path.of("src/main/dist/vipgate.service");
    private static final List<String> CAPABILITIES = List.of("CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_NET_BIND_SERVICE");

    @Test
    void runsAsTheVipgateUserWithOnlyTheNetworkCapabilities() throws IOException {
        Map<String, List<String>> service = section(UNIT, "Service");
        assertThat(service.get("User")).containsExactly("vipgate");
        assertThat(service.get("Group")).containsExactly("vipgate");
        assertThat(words(service, "AmbientCapabilities")).containsExactlyInAnyOrderElementsOf(CAPABILITIES);
        assertThat(words(service, "CapabilityBoundingSet")).containsExactlyInAnyOrderElementsOf(CAPABILITIES);
        assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
        assertThat(service).doesNotContainKey("PermissionsStartOnly");
        // VRRP's threads may raise themselves to SCHED_RR 10 / nice -20 through the limits, not CAP_SYS_NICE
        assertThat(service.get("LimitRTPRIO")).containsExactly("10");
        assertThat(service.get("LimitNICE")).containsExactly("-20");
        // "+" or "!" would run a command with full privileges
        assertThat(service.entrySet()).filteredOn(e -> e.getKey().startsWith("Exec"))
                .allSatisfy(e -> assertThat(e.getValue()).noneMatch(v -> v.startsWith("+") || v.startsWith("!")));
    }

    @Test
    void sandboxed() throws IOException {
        Map<String, List<String>> service = section(UNIT, "Service");
        for (String yes : List.of("ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectControlGroups", "RestrictNamespaces", "RestrictSUIDSGID", "LockPersonality")) {
            assertThat(service.get(yes)).as(yes).containsExactly("yes");
        }
        assertThat(service.get("ProtectSystem")).containsExactly("strict");
        assertThat(words(service, "RestrictAddressFamilies"))
                .containsExactlyInAnyOrder("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_UNIX");
        assertThat(service.get("SystemCallFilter")).contains("@system-service");
        // the only writable place but the private /tmp: the access and latency logs
        assertThat(service.get("LogsDirectory")).containsExactly("vipgate");
        // /run/vipgate holds the initramfs's overlay layers and the identity files: systemd would chown it and
        // remove it at every stop
        assertThat(service).doesNotContainKeys("RuntimeDirectory", "StateDirectory", "DynamicUser");
    }

    @Test
    void theImageCreatesTheUserAndLogrotateRotatesAsIt() throws IOException {
        assertThat(Files.readAllLines(Path.of("image/overlay/usr/lib/sysusers.d/vipgate.conf")))
                .anyMatch(l -> l.matches("u vipgate - .*"));
        assertThat(Files.readAllLines(Path.of("src/main/dist/vipgate.logrotate")).stream().map(String::strip))
                .contains("su vipgate vipgate", "create 0640 vipgate vipgate");
    }

    /** systemd's own score (0 safest .. 10): 7.4 before the unit dropped root; Debian's nginx and keepalived 9.6. */
    @Test
    void systemdRatesTheExposureLow() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze not installed");
        Process p = new ProcessBuilder("systemd-analyze", "security", "--offline=yes", UNIT.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Matcher m = Pattern.compile("Overall exposure level for vipgate.service: (\\d+\\.\\d)").matcher(out);
        assumeTrue(m.find(), () -> "systemd-analyze without --offline: " + out);
        assertThat(Double.parseDouble(m.group(1))).as(out).isLessThanOrEqualTo(2.5);
    }

    private static List<String> words(Map<String, List<String>> section, String key) {
        assertThat(section).containsKey(key);
        return section.get(key).stream().flatMap(v -> Arrays.stream(v.trim().split("\\s+"))).toList();
    }

    /** The assignments of one section, every value of a key in order (systemd keys may repeat). */
    private static Map<String, List<String>> section(Path unit, String name) throws IOException {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        String current = null;
        for (String line : Files.readAllLines(unit)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.startsWith("[")) {
                current = l.substring(1, l.length() - 1);
            } else if (name.equals(current)) {
                int eq = l.indexOf('=');
                keys.computeIfAbsent(l.substring(0, eq).strip(), k -> new ArrayList<>()).add(l.substring(eq + 1).strip());
            }
        }
        return keys;
    }
}
