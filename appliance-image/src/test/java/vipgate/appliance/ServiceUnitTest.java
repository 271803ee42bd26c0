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
    private static final Path JVM_OPTIONS = Path.of("src/main/dist/jvm.options");
    private static final String INSTALLED_JVM_OPTIONS = "/usr/share/vipgate/jvm.options";
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

    /**
     * The shipped JVM options come first and the machine's (java.env: direct memory, C1 on an emulated CPU, the
     * operator's vipgate.java-options) after them, so those win; the unit and the vipgate command use the same file.
     */
    @Test
    void theUnitAndTheLauncherPassTheShippedJvmOptionsBeforeTheMachinesOwn() throws IOException {
        Map<String, List<String>> service = section(UNIT, "Service");
        assertThat(service.get("ExecStart")).singleElement().satisfies(exec -> {
            List<String> args = List.of(exec.split("\\s+"));
            assertThat(args.subList(0, 3)).containsExactly("/usr/bin/java", "@" + INSTALLED_JVM_OPTIONS, "$VIPGATE_JAVA_OPTS");
            assertThat(args).contains("-XX:+ExitOnOutOfMemoryError");
            assertThat(args.indexOf("-XX:+ExitOnOutOfMemoryError")).isLessThan(args.indexOf("-jar"));
        });
        assertThat(service.get("Environment")).contains("MALLOC_ARENA_MAX=2");
        assertThat(Files.readAllLines(Path.of("image/overlay/usr/bin/vipgate"))).contains("MALLOC_ARENA_MAX=2");
        assertThat(Files.readAllLines(Path.of("image/overlay/usr/bin/vipgate")))
                .anyMatch(l -> l.matches("exec /usr/bin/java @" + Pattern.quote(INSTALLED_JVM_OPTIONS) + " \\$VIPGATE_JAVA_OPTS -jar .*"));
        assertThat(Files.readString(Path.of("image/build")))
                .contains("\"$module/src/main/dist/jvm.options\" \"$overlay" + INSTALLED_JVM_OPTIONS + "\"");
    }

    /** The JVM takes the file as it is shipped: serial GC, small fixed young generation, capped code cache and JIT. */
    @Test
    void theJvmAcceptsTheShippedOptions() throws Exception {
        Map<String, String> flags = finalFlags("@" + JVM_OPTIONS.toAbsolutePath());
        assertThat(flags).containsEntry("UseSerialGC", "true").containsEntry("UseG1GC", "false")
                .containsEntry("NewSize", String.valueOf(12L << 20)).containsEntry("MaxNewSize", String.valueOf(12L << 20))
                .containsEntry("InitialHeapSize", String.valueOf(32L << 20)).containsEntry("MaxRAMPercentage", "25.000000")
                .containsEntry("ReservedCodeCacheSize", String.valueOf(64L << 20)).containsEntry("CICompilerCount", "2")
                .containsEntry("ThreadStackSize", "512").containsEntry("TrimNativeHeapInterval", "5000");
        // what java.env adds on an emulated CPU, and an operator's own GC (identity turns the serial one off first)
        assertThat(finalFlags("@" + JVM_OPTIONS.toAbsolutePath(), "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1"))
                .containsEntry("TieredStopAtLevel", "1").containsEntry("CICompilerCount", "1");
        assertThat(finalFlags("@" + JVM_OPTIONS.toAbsolutePath(), "-XX:-UseSerialGC", "-XX:+UseParallelGC"))
                .containsEntry("UseSerialGC", "false").containsEntry("UseParallelGC", "true");
    }

    /** -XX:+PrintFlagsFinal of a JVM started with these options: flag name to value. */
    private static Map<String, String> finalFlags(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        Map<String, String> flags = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)").matcher(out);
        while (m.find()) {
            flags.put(m.group(1), m.group(2));
        }
        return flags;
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
