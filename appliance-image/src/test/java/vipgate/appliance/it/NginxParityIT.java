package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vipgate.appliance.importer.Importer;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.RawHttp;

/**
 * nginx and vipgate side by side on the same site config: each file of importer/parity is run by nginx-light and,
 * through `vipgate import`, by vipgate, both in front of one echo backend (nginx answering with the method and the
 * target it received), and the same requests go to both. Status, Location (ports aside), body (the server's
 * signature on built-in pages aside) and what the backend saw must be equal; a 444 is a close without an answer.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class NginxParityIT {
    private static final Path SITES = Path.of("src/test/resources/importer/parity");
    /** The echo backend: every request it gets is answered with what it got. */
    private static final String ECHO = "location ~ ^ { return 200 \"backend saw $request_method $request_uri\\n\"; }";
    private static final List<String> PATHS = List.of(
            "/", "/exact", "/exact/", "/static/a.php", "/static/x.png", "/a.php", "/A.PHP", "/x/y.JPG", "/images/a.png",
            "/images/a.gif", "/users/42/edit", "/users/x/edit", "/files/report.pdf", "/files/a.b.c",
            "/legacy/z", "/old/a/b", "/tmp/a", "/internal/q", "/loop/a", "/args/a", "/drop/a", "/chain/c", "/abs/x",
            "/stop/x", "/app/x", "/app/%7Euser", "/api", "/api/users", "/api/a%20b", "/api/a%2Fb", "/api/%41", "/v1",
            "/v1/x", "/v1x", "/health", "/health/", "/dir", "/dir/", "/dir/x", "/r302", "/r307", "/url", "/text", "/gone",
            "/nocontent", "/close", "/a/../b", "/a//b", "/a/./c", "/x/%2e%2e/y", "/IMAGES/a.png", "/%75sers/1/x",
            "/open/x", "/admin/x", "/ret/x", "/limited/x", "/peruser/x", "/old", "/OLD/x", "/oldx", "/legacy/a", "/x/A.Pdf",
            "/files/b.pdf", "/vu/bob/x", "/vu/bob/a%20b", "/vu/x", "/vr/q", "/vq/z");
    /** X-Forwarded-For of the GET requests (none for HEAD): which client a trusted sender names. */
    private static final List<String> FORWARDED = List.of("", "10.0.0.7", "10.0.0.5", "192.0.2.7", "192.0.2.7, 10.0.0.9",
            "10.0.0.5, 192.0.2.7", "not-an-address");
    private static final List<String> QUERIES = List.of("", "?a=1&b=2", "?A=x%20y&a=2", "?user=bob&a=1");
    private static final List<String> METHODS = List.of("GET", "HEAD");

    @TempDir
    Path dir;

    private final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void requirements() {
        NginxWebNode.requireNginx();
    }

    @AfterEach
    void cleanUp() {
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    static Stream<String> sites() throws IOException {
        try (Stream<Path> files = Files.list(SITES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("sites")
    void vipgateAnswersAsNginxDoes(String site) throws IOException {
        SideBySide pair = SideBySide.start(dir, site, Files.readString(SITES.resolve(site)), FreePort.tcp(), ECHO, running);
        int nginxPort = pair.nginxPort();
        int vipgatePort = pair.vipgatePort();
        Importer.Result imported = pair.imported();

        List<String> differences = new ArrayList<>();
        StringBuilder transcript = new StringBuilder();
        int compared = 0;
        for (String method : METHODS) {
            for (String path : PATHS) {
                for (String query : QUERIES) {
                    for (String forwarded : method.equals("GET") ? FORWARDED : List.of("")) {
                        String target = path + query;
                        String expected = answer(nginxPort, method, target, forwarded, nginxPort);
                        String actual = answer(vipgatePort, method, target, forwarded, vipgatePort);
                        String request = method + " " + target + (forwarded.isEmpty() ? "" : " [X-Forwarded-For: " + forwarded + "]");
                        compared++;
                        transcript.append(request).append(" -> ").append(expected).append('\n');
                        if (!expected.equals(actual)) {
                            differences.add(request + "\n  nginx:   " + expected + "\n  vipgate: " + actual);
                        }
                    }
                }
            }
        }
        // what nginx answered, for reading beside the site (target/nginx-parity/SITE.txt)
        Files.writeString(Files.createDirectories(Path.of("target/nginx-parity")).resolve(site.replace(".conf", ".txt")),
                transcript);
        System.out.printf("%s: %d of %d answers equal to nginx's%n", site, compared - differences.size(), compared);
        assertThat(differences).as(site + ": answers that differ from nginx's\n" + imported.report()).isEmpty();
    }

    /** What a client sees, made comparable: status, Location with the port as PORT, body with the signature as SERVER. */
    private static String answer(int port, String method, String target, String forwarded, int ownPort) {
        try (RawHttp http = RawHttp.connect(port)) {
            http.send(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nCookie: c=3; d=4\r\n"
                    + (forwarded.isEmpty() ? "" : "X-Forwarded-For: " + forwarded + "\r\n") + "Connection: close\r\n\r\n");
            RawHttp.Response r;
            try {
                r = http.read(method.equals("HEAD"));
            } catch (IOException e) {
                return "closed without an answer";
            }
            String location = r.header("Location");
            String body = r.bodyText().replace("nginx/1.22.1", "SERVER").replace("vipgate", "SERVER");
            return r.status() + (location == null ? "" : " Location: " + location.replace(":" + ownPort, ":PORT"))
                    + " | " + body.replace("\r\n", "\\r\\n").replace("\n", "\\n");
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target + " to port " + port, e);
        }
    }
}
