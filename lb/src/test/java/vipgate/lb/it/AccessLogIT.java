package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;

/** The access log through the real proxy in front of real nginx web nodes, in the default (main) format. */
@ExtendWith(NoLeaks.class)
class AccessLogIT {
    /** Both nodes' body length: the logged $body_bytes_sent. */
    private static final String BODY = "HTTP WEB NODE 02\n";
    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final String SECONDS = "(\\d+\\.\\d{3})";

    @TempDir
    static Path dir;
    private static NginxWebNode failing;
    private static NginxWebNode good;
    private static LbUnderTest lb;
    private static Path file;

    @BeforeAll
    static void start() {
        failing = NginxWebNode.builder().body("HTTP WEB NODE 01\n").location("location /retry { return 502; }").start();
        good = NginxWebNode.builder().body(BODY).start();
        file = dir.resolve("access.log");
        // the failing node is never rested (max-fails = 0), so every /retry meets it first and then the backup
        lb = LbUnderTest.start("""
                event-loops = 1
                upstreams.web {
                  servers = [ { address = "%s", max-fails = 0 }, { address = "%s", backup = true } ]
                  next-upstream.on = [error, timeout, http-502]
                }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [ { path = "/", upstream = web } ] } ]
                access-log { path = "%s", flush = 50ms }
                """.formatted(failing.address(), good.address(), file));
    }

    @AfterAll
    static void stop() {
        Cleanup.close(lb, failing, good);
    }

    /** Sends one request and returns its log line. */
    private static String logged(String request) throws IOException {
        return logged(request, 200);
    }

    private static String logged(String request, int status) throws IOException {
        long before = lb.engine.context().accessLog().writtenLines();
        try (RawHttp c = RawHttp.connect(lb.port)) {
            c.send(request);
            assertThat(c.read().status()).isEqualTo(status);
        }
        Await.require(Duration.ofSeconds(10), "the line written", () -> lb.engine.context().accessLog().writtenLines() > before);
        List<String> lines = Files.readAllLines(file);
        return lines.get(lines.size() - 1);
    }

    private static Matcher matchMain(String line, String expected) {
        // the main format, with the times as groups: [$time_local] ... $request_time $upstream_response_time
        Pattern p = Pattern.compile(expected);
        Matcher m = p.matcher(line);
        assertThat(m.matches()).as("%s\nmatches\n%s", line, expected).isTrue();
        OffsetDateTime t = OffsetDateTime.parse(m.group(1), TIME_LOCAL);
        assertThat(Duration.between(t, OffsetDateTime.now()).abs()).isLessThan(Duration.ofMinutes(1));
        return m;
    }

    @Test
    void aRetriedRequestListsBothServersAndTheirStatuses() throws IOException {
        String line = logged("GET /retry?x=1 HTTP/1.1\r\nHost: app\r\nReferer: http://ref.example/\r\n"
                + "User-Agent: test \"agent\"\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n");
        Matcher m = matchMain(line, Pattern.quote("127.0.0.1 - - [") + "([^\\]]+)" + Pattern.quote("] \"GET /retry?x=1 HTTP/1.1\" 200 "
                + BODY.length() + " \"http://ref.example/\" \"test \\x22agent\\x22\" \"203.0.113.9\" " + failing.address() + ", "
                + good.address() + " 502, 200 ") + SECONDS + " " + SECONDS + ", " + SECONDS);
        double requestTime = Double.parseDouble(m.group(2));
        assertThat(requestTime).as("the request took at least both tries").isGreaterThanOrEqualTo(Double.parseDouble(m.group(4)));
    }

    @Test
    void aPlainRequestHasDashesForWhatItDidNotSend() throws IOException {
        String line = logged("GET / HTTP/1.1\r\nHost: app\r\n\r\n");
        // the first server answers / itself (with a body as long as the backup's)
        matchMain(line, Pattern.quote("127.0.0.1 - - [") + "([^\\]]+)" + Pattern.quote("] \"GET / HTTP/1.1\" 200 " + BODY.length()
                + " \"-\" \"-\" \"-\" " + failing.address() + " 200 ") + SECONDS + " " + SECONDS);
    }

    @Test
    void aRequestRefusedBeforeItCouldBeReadIsLoggedLikeNginxDoes() throws IOException {
        // obs-fold: the decoder refuses the header block, so there is no request line to log
        String line = logged("GET /x HTTP/1.1\r\nHost: app\r\nX-Folded: a\r\n b\r\n\r\n", 400);
        matchMain(line, Pattern.quote("127.0.0.1 - - [") + "([^\\]]+)" + Pattern.quote("] \"-\" 400 ") + "\\d+"
                + Pattern.quote(" \"-\" \"-\" \"-\" - - ") + SECONDS + " -");
    }
}
