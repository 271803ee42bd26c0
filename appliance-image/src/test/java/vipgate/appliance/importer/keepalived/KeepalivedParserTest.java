package vipgate.appliance.importer.keepalived;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Finding;
import vipgate.appliance.importer.Report;

class KeepalivedParserTest {
    @TempDir
    Path dir;

    private final Report report = new Report();

    private List<Directive> parse(String text) {
        return new KeepalivedParser(report).parse(text, "k.conf", dir);
    }

    private List<String> said() {
        return report.findings().stream().map(Finding::toString).toList();
    }

    @Test
    void blocksNestWithTheirNameAndArgumentsAndLines() {
        List<Directive> top = parse("""
                virtual_server 192.168.1.120 80 {
                    lb_algo wrr
                    real_server 192.168.1.103 80 {
                        TCP_CHECK {
                            connect_timeout 10
                        }
                    }
                }
                vrrp_script monitor_nginx{
                   interval 1
                }
                vrrp_instance VI_1
                {
                    unicast_peer { 192.168.64.130 }
                }
                """);
        assertThat(top).extracting(Directive::name).containsExactly("virtual_server", "vrrp_script", "vrrp_instance");
        Directive vs = top.get(0);
        assertThat(vs.args()).containsExactly("192.168.1.120", "80");
        assertThat(vs.block()).isTrue();
        Directive check = vs.first("real_server").orElseThrow().first("TCP_CHECK").orElseThrow();
        assertThat(check.first("connect_timeout").orElseThrow().line()).isEqualTo(5);
        assertThat(check.first("connect_timeout").orElseThrow().where()).isEqualTo("k.conf:5");
        // a brace glued to the name, a brace on the next line (Allman), a block on one line
        assertThat(top.get(1).args()).containsExactly("monitor_nginx");
        assertThat(top.get(1).first("interval").orElseThrow().args()).containsExactly("1");
        assertThat(top.get(2).args()).containsExactly("VI_1");
        assertThat(top.get(2).first("unicast_peer").orElseThrow().children()).extracting(Directive::name)
                .containsExactly("192.168.64.130");
        assertThat(report.findings()).isEmpty();
    }

    @Test
    void commentsAndQuotes() {
        List<Directive> top = parse("""
                ! Configuration File for keepalived
                # a comment
                vrrp_script chk { # trailing
                  script "/usr/bin/killall -0 nginx" ! trailing too
                  user 'nginx user' #x
                  weight -2#not a comment: glued to the value
                  path "/a#b!c"
                }
                """);
        Directive s = top.get(0);
        assertThat(top).hasSize(1);
        assertThat(s.first("script").orElseThrow().args()).containsExactly("/usr/bin/killall -0 nginx");
        assertThat(s.first("user").orElseThrow().args()).containsExactly("nginx user");
        assertThat(s.first("weight").orElseThrow().args()).containsExactly("-2#not", "a", "comment:", "glued", "to", "the", "value");
        assertThat(s.first("path").orElseThrow().args()).containsExactly("/a#b!c");
    }

    @Test
    void anUnclosedQuoteRunsToTheEndOfItsLine() {
        List<Directive> top = parse("notify_master \"/bin/notify.sh master\nnotify_backup x\n");
        assertThat(top.get(0).args()).containsExactly("/bin/notify.sh master");
        assertThat(top.get(1).args()).containsExactly("x");
        assertThat(said()).containsExactly("k.conf:1: repaired: unclosed \" quote; closed at the end of the line");
    }

    @Test
    void includesAreReadInPlaceSortedAndRelativeToTheIncludingFile() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(sub.resolve("b.conf"), "vrrp_instance VI_B {\n}\n");
        Files.writeString(sub.resolve("a.conf"), "vrrp_instance VI_A {\n  include ../vips/*.inc\n}\n");
        Files.writeString(sub.resolve("skip.txt"), "garbage {\n");
        Path vips = Files.createDirectories(dir.resolve("vips"));
        Files.writeString(vips.resolve("1.inc"), "virtual_ipaddress {\n 10.0.0.1\n}\n");
        Path main = Files.writeString(dir.resolve("keepalived.conf"), "global_defs {\n}\ninclude conf.d/*.conf\n"
                + "include " + dir.resolve("vips/1.inc") + "\ninclude missing/*.conf\n");

        List<Directive> top = new KeepalivedParser(report).parse(main);

        assertThat(top).extracting(Directive::name)
                .containsExactly("global_defs", "vrrp_instance", "vrrp_instance", "virtual_ipaddress");
        assertThat(top.get(1).args()).containsExactly("VI_A");
        Directive vip = top.get(1).first("virtual_ipaddress").orElseThrow();
        assertThat(vip.where()).isEqualTo(vips.resolve("1.inc") + ":1");
        assertThat(top.get(2).file()).isEqualTo(sub.resolve("b.conf").toString());
        assertThat(said()).containsExactly(main + ":5: not mapped: include: no file matches 'missing/*.conf'; "
                + "what it held is missing from the import");
    }

    @Test
    void anIncludeLoopEnds() throws IOException {
        Path main = Files.writeString(dir.resolve("keepalived.conf"), "include keepalived.conf\n");
        assertThat(new KeepalivedParser(report).parse(main)).isEmpty();
        assertThat(said()).anyMatch(s -> s.contains("includes nested deeper than 8"));
    }

    @Test
    void copyPasteDamageIsRepairedAndReported() {
        List<Directive> top = parse("vrrp_instance VI_1 {\u3000\u3000// 实例\n"
                + "    interface eth0//通讯网卡\n"
                + "    notify_master \u201c/etc/keepalived/notify.sh master\u201d\n"
                + "}\r\n");
        Directive inst = top.get(0);
        assertThat(inst.first("interface").orElseThrow().args()).containsExactly("eth0");
        assertThat(inst.first("notify_master").orElseThrow().args()).containsExactly("/etc/keepalived/notify.sh master");
        assertThat(report.findings()).extracting(Finding::kind).containsOnly(Finding.Kind.REPAIRED);
        assertThat(said()).contains("k.conf:1: repaired: Windows (CRLF) line ends", "k.conf:2: repaired: '//通讯网卡' is not a "
                + "comment in this format; removed");
    }

    @Test
    void strayAndMissingBracesAreFindingsWithTheirLine() {
        List<Directive> top = parse("}\nvrrp_instance VI_1 {\n  priority 100\n  authentication {\n");
        assertThat(top).hasSize(1);
        assertThat(top.get(0).first("priority").orElseThrow().args()).containsExactly("100");
        assertThat(said()).containsExactly("k.conf:1: not mapped: }: closes no block; ignored",
                "k.conf:4: not mapped: authentication: the block is never closed; it ends at the end of k.conf",
                "k.conf:2: not mapped: vrrp_instance: the block is never closed; it ends at the end of k.conf");
    }

    @Test
    void randomAndTruncatedInputNeverThrows() throws IOException {
        String seed = Files.readString(Path.of("src/test/resources/importer/seeds/004-keepalived-backup.conf"));
        for (int end = 0; end <= seed.length(); end++) {
            parse(seed.substring(0, end));
        }
        Random random = new Random(7);
        String alphabet = "{}\"'!#/ \n\t\u3000\u201cab1.:-";
        for (int run = 0; run < 2000; run++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(200); i > 0; i--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            parse(text.toString());
        }
    }
}
