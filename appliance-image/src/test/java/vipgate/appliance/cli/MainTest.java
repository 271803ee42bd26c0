package vipgate.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vipgate.appliance.Appliance;
import vipgate.appliance.ApplianceConfig;
import vipgate.testkit.FreePort;

/** The command line in this JVM: what `check`, `--version`, `--help` and a refused `run` print and return. */
class MainTest {
    @TempDir
    Path dir;

    /** Output of one command line: exit code, stdout, stderr. */
    record Outcome(int code, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    static Outcome execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    static String goodConfig(int admin, int listen, int upstream) {
        return """
                vipgate {
                  node-name = "unit"
                  admin.listen = "127.0.0.1:%d"
                  lb {
                    upstreams.web { servers = [ { address = "127.0.0.1:%d", weight = 2 } ] }
                    servers = [{ listen = ["127.0.0.1:%d"], locations = [{ path = "/", upstream = web }] }]
                  }
                }
                """.formatted(admin, upstream, listen);
    }

    /** Four mistakes on known lines: a misspelt key (3), a bad duration (4), a missing upstream (7), an unknown root key (11). */
    static final String BAD_CONFIG = """
            vipgate {
              lb {
                upstreams.web { servers = [ { address = "127.0.0.1:1", wieght = 1,
                  fail-timeout = 10 seconds please } ] }
                servers = [{
                  listen = ["127.0.0.1:1"]
                  locations = [{ path = "/", upstream = missing }]
                }]
              }
            }
            frobnicate = 1
            """;

    @Test
    void checkOfAGoodFilePrintsOkAndExitsZero() throws IOException {
        Path good = write("good.conf", goodConfig(9, 10, 11));
        Outcome o = execute("check", "-c", good.toString());
        assertThat(o.code()).isZero();
        assertThat(o.outLines()).containsExactly("ok");
        assertThat(o.err()).isEmpty();
    }

    @Test
    void checkOfABadFilePrintsEveryProblemAtItsLineWithHints() throws IOException {
        Path bad = write("bad.conf", BAD_CONFIG);
        Outcome o = execute("check", "-c", bad.toString());
        assertThat(o.code()).isEqualTo(1);
        List<String> lines = o.outLines();
        assertThat(lines).as(o.out()).hasSize(5);
        assertThat(lines.subList(0, 4)).allSatisfy(l -> assertThat(l).matches(java.util.regex.Pattern.quote(bad.toString())
                + ":\\d+: .+"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(bad + ":3: ")
                .contains("unknown key 'vipgate.lb.upstreams.web.servers[0].wieght'").contains("did you mean 'weight'?"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(bad + ":4: ")
                .contains("vipgate.lb.upstreams.web.servers[0].fail-timeout").contains("duration")
                .contains("10 seconds please"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(bad + ":7: ")
                .contains("no upstream named 'missing'").contains("[web]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(bad + ":11: ")
                .contains("unknown key 'frobnicate'"));
        assertThat(lines.get(4)).isEqualTo(bad + ": 4 errors");
    }

    @Test
    void unknownRootKeysAreComparedWithVipgateKeysOnlyNotWithSystemProperties() throws IOException {
        Path bad = write("root.conf", "vipgat { node-name = x }\njava { home = x }\n");
        Outcome o = execute("check", "-c", bad.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out()).contains(bad + ":1: unknown key 'vipgat'; did you mean 'vipgate'?");
        // java.home is a system property, not a vipgate setting: the only valid root key is vipgate
        assertThat(o.out()).contains(bad + ":2: unknown key 'java'; valid keys here: vipgate\n");
    }

    @Test
    void checkReportsASyntaxErrorAtItsLine() throws IOException {
        Path broken = write("broken.conf", "vipgate {\n  node-name = \"a\"\n  lb {\n    transport = \n  }\n");
        Outcome o = execute("check", "-c", broken.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.outLines().get(0)).startsWith(broken + ":5: ");
        assertThat(o.outLines()).last().isEqualTo(broken + ": 1 error");
    }

    @Test
    void checkOfAMissingFileSaysSo() {
        Path none = dir.resolve("none.conf");
        Outcome o = execute("check", "-c", none.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out()).startsWith(none + ": no such file");
    }

    /**
     * Files that printed a stack trace, passed check and then failed run ("...: null"), or lost an include without a
     * word: each is now one file:line line and exit 1. nginx -t on the analogous files is quoted in ConfigLoaderTest.
     */
    @Test
    void checkReportsEveryUnreadableConfigurationAtItsLineWithoutAStackTrace() throws IOException {
        String good = goodConfig(9, 10, 11);
        Path deep = write("deep.conf", good + "x " + "{ a ".repeat(20_000) + "}".repeat(20_000) + "\n");
        Path cycle = write("cycle.conf", good + "vipgate.node-name = ${vipgate.lb.x}\nvipgate.lb.x = ${vipgate.node-name}\n");
        Path missing = write("missing.conf", good + "include \"conf.d/upstreams.conf\"\n");
        Path required = write("required.conf", good + "include required(\"conf.d/upstreams.conf\")\n");
        Path badIp = write("badip.conf", good.replace("listen = [\"127.0.0.1:10\"]", "listen = [\"999.1.1.1:80\"]"));
        Path directory = Files.createDirectory(dir.resolve("conf.d"));
        String[][] cases = {
            {deep.toString(), deep + ":9: objects and arrays nested more than 64 levels deep"},
            {cycle.toString(), cycle + ":9: "},
            {missing.toString(), missing + ":9: include \"conf.d/upstreams.conf\": " + dir.resolve("conf.d/upstreams.conf")
                + ": no such file"},
            {required.toString(), required + ":9: include \"conf.d/upstreams.conf\": " + dir.resolve("conf.d/upstreams.conf")
                + ": no such file"},
            {badIp.toString(), badIp + ":6: vipgate.lb.servers[0].listen: '999.1.1.1:80': 999.1.1.1 is not an IPv4 address"},
            {directory.toString(), directory + ": a directory, not a file"},
            {"/dev/zero", "/dev/zero: not a regular file (a FIFO, socket or device)"},
        };
        for (String[] c : cases) {
            Outcome o = execute("check", "-c", c[0]);
            assertThat(o.code()).as(o.out() + o.err()).isEqualTo(1);
            assertThat(o.outLines().get(0)).as(c[0]).startsWith(c[1]);
            // a bad listen address also leaves its server without one: a second line, no trace
            assertThat(o.outLines()).as(c[0]).last().isEqualTo(c[0] + (c[0].equals(badIp.toString()) ? ": 2 errors" : ": 1 error"));
            assertThat(o.err()).as(c[0]).isEmpty();
        }
        assertThat(execute("check", "-c", cycle.toString()).out()).contains("cycle");
    }

    @Test
    void checkWithoutAFileIsAUsageError() {
        Outcome o = execute("check");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("Missing required option: '--config=FILE'");
    }

    @Test
    void adminApiOffLoopbackWithoutATokenIsRefusedByCheck() throws IOException {
        Path open = write("open.conf", goodConfig(9, 10, 11).replace("127.0.0.1:9\"", "0.0.0.0:9\""));
        Outcome o = execute("check", "-c", open.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out()).contains(open + ":3: vipgate.admin.listen: the admin API on 0.0.0.0:9 is reachable from the network")
                .contains("set vipgate.admin.token");
        Path tokened = write("token.conf", goodConfig(9, 10, 11).replace("127.0.0.1:9\"", "0.0.0.0:9\", admin.token = s3cret"));
        assertThat(execute("check", "-c", tokened.toString()).code()).isZero();
    }

    @Test
    void versionNamesTheBuild() {
        Outcome o = execute("--version");
        assertThat(o.code()).isZero();
        assertThat(o.outLines()).hasSize(1);
        assertThat(o.out()).startsWith("vipgate 0.1.0-SNAPSHOT");
    }

    @Test
    void helpListsTheCommandsAndExamplesWithinEightyColumns() {
        for (String[] args : new String[][] {{"--help"}, {}}) {
            Outcome o = execute(args);
            assertThat(o.code()).isZero();
            assertThat(o.out()).contains("Usage: vipgate").containsPattern("(?m)^  run +Run the appliance")
                    .containsPattern("(?m)^  check +Validate a configuration file")
                    .containsPattern("(?m)^  status +Show listeners, upstream servers")
                    .containsPattern("(?m)^  reload +Make the running daemon re-read");
            // examples are whole command lines, none broken by wrapping
            assertThat(o.outLines()).contains("Examples:", "  java -jar vipgate.jar run",
                    "  java -jar vipgate.jar run -c /etc/vipgate/vipgate.conf",
                    "  java -jar vipgate.jar check -c /etc/vipgate/vipgate.conf",
                    "  java -jar vipgate.jar status", "  curl -s localhost:9090/metrics", "  java -jar vipgate.jar reload");
            assertThat(o.outLines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(80));
        }
        assertThat(execute("check", "--help").out()).contains("-c, --config=FILE");
        assertThat(execute("run", "--help").out()).contains("-c, --config=FILE").contains("Run the appliance.");
    }

    @Test
    void runWithABadFileRefusesToStart() throws IOException {
        Path bad = write("bad.conf", BAD_CONFIG);
        Outcome o = execute("run", "-c", bad.toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err()).startsWith("vipgate: configuration refused:\n").contains("  " + bad + ":3: ")
                .contains("did you mean 'weight'?");
    }

    /** `reload` and `status` talk to a running appliance with what its admin API requires (the CSRF header). */
    @Test
    void reloadAndStatusReachTheRunningDaemon() throws IOException {
        int admin = FreePort.tcp();
        Path file = write("running.conf", goodConfig(admin, FreePort.tcp(), FreePort.tcp()) + "vipgate.lb.shutdown-drain = 0s\n");
        try (Appliance running = Appliance.start(Optional.of(file), ApplianceConfig.load(Optional.of(file)))) {
            Outcome ok = execute("reload", "-c", file.toString());
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(ok.out()).isEqualTo("reloaded\n");
            Files.writeString(file, BAD_CONFIG.replace("vipgate {", "vipgate {\n  admin.listen = \"127.0.0.1:" + admin + "\""));
            Outcome refused = execute("reload", "--admin", "127.0.0.1:" + admin);
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).startsWith("vipgate reload: http://127.0.0.1:" + admin + "/reload answered 400: reload refused")
                    .contains(file + ":4: ");
            Outcome status = execute("status", "--admin", "127.0.0.1:" + admin);
            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out()).contains("unit");
        }
        Outcome gone = execute("reload", "--admin", "127.0.0.1:" + admin);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("nothing answers on http://127.0.0.1:" + admin + "/reload");
    }

    /** `run` takes over SIGTERM, SIGINT and SIGHUP; returning, it must give them back (this JVM must stay killable). */
    @Test
    @SuppressWarnings("restriction")
    void runGivesTheSignalsBackWhenItReturns() throws IOException {
        Path bad = write("bad.conf", BAD_CONFIG);
        assertThat(execute("run", "-c", bad.toString()).code()).isEqualTo(1);
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            sun.misc.Signal signal = new sun.misc.Signal(name);
            sun.misc.SignalHandler current = sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_IGN);
            sun.misc.Signal.handle(signal, current);
            assertThat(current.getClass().getName()).as("SIG" + name + " handler").doesNotStartWith("vipgate.");
        }
    }

    @Test
    void runFailsCleanlyWhenAPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            Path lbBusy = write("lb.conf", goodConfig(FreePort.tcp(), port, FreePort.tcp()));
            Outcome o = execute("run", "-c", lbBusy.toString());
            assertThat(o.code()).isEqualTo(1);
            assertThat(o.err()).startsWith("vipgate: cannot start: cannot listen on 127.0.0.1:" + port);

            Path adminBusy = write("admin.conf", goodConfig(port, FreePort.tcp(), FreePort.tcp()));
            o = execute("run", "-c", adminBusy.toString());
            assertThat(o.code()).isEqualTo(1);
            assertThat(o.err()).startsWith("vipgate: cannot start: cannot start the admin API on 127.0.0.1:" + port);
        }
    }

    @Test
    void ipvsListOnAKernelWithoutIpvsGivesTheAdvice() {
        // this project's CI kernel has no IP_VS; in the VM lab (ip_vs loaded) the listing itself is tested
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "ip_vs is loaded here");
        Outcome o = execute("ipvs", "list", "--stats");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.err().trim()).isEqualTo("IPVS not available in this kernel: load ip_vs or use the appliance image");
        assertThat(execute("ipvs", "list", "--stats", "--rate").code()).as("--stats and --rate exclude each other").isEqualTo(2);
    }

    @Test
    void ipvsZeroAndFlushCheckTheirArgumentsBeforeTheKernel() {
        Outcome bad = execute("ipvs", "zero", "-t", "10.0.0.1");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("'10.0.0.1' has no port");
        assertThat(execute("ipvs", "zero", "-t", "10.0.0.1:80", "-f", "7").code()).as("one service at most").isEqualTo(2);
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "ip_vs is loaded here");
        Outcome flush = execute("ipvs", "flush");
        assertThat(flush.code()).isEqualTo(1);
        assertThat(flush.err().trim()).isEqualTo("IPVS not available in this kernel: load ip_vs or use the appliance image");
    }

    @Test
    void importWritesTheConfigAndReportsOnStderr() throws Exception {
        Outcome none = execute("import");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("nothing to import");
        Path out = Files.createTempFile("imported", ".conf");
        try {
            Outcome o = execute("import", "--keepalived", "src/test/resources/importer/seeds/004-keepalived-backup.conf",
                    "-o", out.toString());
            assertThat(o.code()).as(o.err()).isZero();
            assertThat(o.err()).contains("004-keepalived-backup.conf:");
            assertThat(execute("check", "-c", out.toString()).out().trim()).isEqualTo("ok");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void importReadsTrackedScriptsFromTheScriptsDirectory(@TempDir Path scripts) throws Exception {
        Files.copy(Path.of("src/test/resources/importer/scripts/002-check_nginx.sh"), scripts.resolve("check_nginx.sh"));
        Outcome o = execute("import", "--keepalived", "src/test/resources/importer/seeds/002-keepalived-master.conf",
                "--nginx", "src/test/resources/importer/seeds/002-nginx.conf", "--scripts", scripts.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.err()).contains("(read from " + scripts.resolve("check_nginx.sh") + ")");
        assertThat(o.out()).contains("track-lb").contains("weight 0");
    }
}
