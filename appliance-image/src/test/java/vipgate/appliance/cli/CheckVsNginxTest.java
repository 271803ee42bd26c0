package vipgate.appliance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.NginxWebNode;

/**
 * {@code vipgate check} beside {@code nginx -t} on the same mistakes: an include of a missing file, of a directory,
 * of a symbolic link loop, of a FIFO and of /dev/zero, an impossible listen address, 20,000 nested blocks. vipgate
 * must refuse each at once with file:line where nginx gives one; what nginx does is recorded (printed) beside it,
 * and asserted where vipgate claims parity (the same line).
 */
class CheckVsNginxTest {
    /** Where the include or the listen address is, in both files. */
    private static final int LINE = 3;
    private static final Pattern NGINX_LINE = Pattern.compile(" in (/\\S+):(\\d+)");

    @TempDir
    Path dir;

    private final List<String> table = new ArrayList<>();

    @BeforeEach
    void nginx() {
        NginxWebNode.requireNginx();
    }

    record Nginx(int code, String out, boolean timedOut) {
        /** The line nginx names ("... in /path:3"), or -1. */
        int line() {
            Matcher m = NGINX_LINE.matcher(out);
            return m.find() ? Integer.parseInt(m.group(2)) : -1;
        }
    }

    private Nginx nginxTest(String name, String body) throws IOException, InterruptedException {
        Path conf = Files.writeString(dir.resolve(name + ".nginx"), "pid " + dir.resolve(name + ".pid") + "; events {}\nhttp {\n"
                + body + "\n}\n");
        Path output = dir.resolve(name + ".nginx.out");
        Process p = new ProcessBuilder(NginxWebNode.NGINX.toString(), "-t", "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", conf.toString()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean done = p.waitFor(3, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        return new Nginx(done ? p.exitValue() : -1, Files.readString(output, StandardCharsets.UTF_8).strip(), !done);
    }

    /** Runs both on the same mistake (on line 3 of each file); {@code sameLine}: nginx too refuses it, at that line. */
    private void compare(String name, String nginxBody, String vipgateText, String expected, boolean sameLine)
            throws IOException, InterruptedException {
        Nginx nginx = nginxTest(name, nginxBody);
        Path conf = Files.writeString(dir.resolve(name + ".conf"), vipgateText);
        long start = System.nanoTime();
        MainTest.Outcome vipgate = MainTest.execute("check", "-c", conf.toString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        table.add(String.format("%-10s nginx -t: %s%n%-10s vipgate check (%d ms): %s", name,
                nginx.timedOut() ? "still running after 3 s (killed)" : "exit " + nginx.code() + ": " + nginx.out().replace('\n', ' '),
                "", millis, vipgate.outLines().get(0)));
        assertThat(vipgate.code()).as(name).isEqualTo(1);
        assertThat(vipgate.outLines().get(0)).as(name).startsWith(conf + ":" + LINE + ": ").contains(expected);
        assertThat(vipgate.err()).as(name).isEmpty();
        if (sameLine) {
            assertThat(nginx.code()).as(nginx.out()).isNotZero();
            assertThat(nginx.line()).as(nginx.out()).isEqualTo(LINE);
        }
    }

    private static String vipgate(String line3) {
        return "vipgate {\n  admin.listen = \"127.0.0.1:9\"\n" + line3 + "\n  lb.upstreams.web.servers = [ { address = \"127.0.0.1:1\" } ]\n"
                + "  lb.servers = [{ listen = [\"127.0.0.1:2\"], locations = [{ path = \"/\", upstream = web }] }]\n}\n";
    }

    @Test
    void checkRefusesWhatNginxRefusesAtTheSameLineAndWhatItMisses() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("conf.d"));
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Path loop = Files.createSymbolicLink(dir.resolve("loop1"), dir.resolve("loop2"));
        Files.createSymbolicLink(dir.resolve("loop2"), loop);
        Path missing = dir.resolve("absent.conf");
        try {
            compare("missing", "include " + missing + ";", vipgate("include \"" + missing + "\""), "no such file", true);
            compare("loop", "include " + loop + ";", vipgate("include \"" + loop + "\""), "symbolic link loop", true);
            compare("badip", "server { listen 999.1.1.1:80; }", vipgate("lb.servers = [{ listen = [\"999.1.1.1:80\"], "
                    + "locations = [{ path = \"/\", upstream = web }] }]").replace("  lb.servers = [{ listen = [\"127.0.0.1:2\"], "
                    + "locations = [{ path = \"/\", upstream = web }] }]\n", ""), "999.1.1.1 is not an IPv4 address", true);
            // nginx names no line for these (a directory: "pread() failed (21: Is a directory)"), or misses them
            compare("directory", "include " + directory + ";", vipgate("include \"" + directory + "\""), "a directory, not a file", false);
            compare("fifo", "include " + fifo + ";", vipgate("include \"" + fifo + "\""), "not a regular file", false);
            compare("devzero", "include /dev/zero;", vipgate("include \"/dev/zero\""), "not a regular file", false);
            compare("deep", "server { listen 127.0.0.1:9; " + "location /a { ".repeat(20_000) + "}".repeat(20_000) + " }",
                    vipgate("  x " + "{ a ".repeat(20_000) + "}".repeat(20_000)), "nested more than 64 levels", false);
        } finally {
            System.out.println("CheckVsNginxTest (nginx -t beside vipgate check, same mistakes):\n" + String.join("\n", table));
        }
    }
}
