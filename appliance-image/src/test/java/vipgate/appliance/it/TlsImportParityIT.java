package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.appliance.importer.Importer;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.RawHttp;
import vipgate.testkit.SClient;
import vipgate.testkit.TlsFiles;

/**
 * Issue 14's common shape, imported and run beside real nginx-light on the same config: a port-80 server redirecting
 * to HTTPS ({@code return 301 https://$host$request_uri}), two {@code listen ... ssl} servers with their own
 * certificates (SNI), both proxying to one upstream that echoes what it got. Redirects, certificates per SNI name and
 * the HTTPS answers (curl verifying against the two certificates) must be equal.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class TlsImportParityIT {
    private static final String ECHO = "location ~ ^ { return 200 \"backend saw $request_method $request_uri host=$http_host"
            + " proto=$http_x_forwarded_proto\\n\"; }";
    private static final String SITE = """
            upstream app { server 127.0.0.1:@BACKEND@; }
            server {
              listen 127.0.0.1:@HTTP@;
              server_name _;
              return 301 https://$host$request_uri;
            }
            server {
              listen 127.0.0.1:@HTTPS@ ssl;
              server_name a.example.test;
              ssl_certificate @A@.crt;
              ssl_certificate_key @A@.key;
              ssl_protocols TLSv1.2 TLSv1.3;
              ssl_session_cache shared:SSL:1m;
              location / {
                proxy_pass http://app;
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-Proto $scheme;
              }
            }
            server {
              listen 127.0.0.1:@HTTPS@ ssl;
              server_name b.example.test;
              ssl_certificate @B@.crt;
              ssl_certificate_key @B@.key;
              location / {
                proxy_pass http://app;
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-Proto $scheme;
              }
            }
            """;
    private static final List<String> TARGETS = List.of("/", "/x/y?z=1", "/a%20b", "/dir/");

    @TempDir
    Path dir;
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        Cleanup.close(running.toArray(AutoCloseable[]::new));
    }

    private static String site(int backend, int http, int https, TlsFiles.Pair a, TlsFiles.Pair b) {
        return SITE.replace("@BACKEND@", String.valueOf(backend)).replace("@HTTP@", String.valueOf(http))
                .replace("@HTTPS@", String.valueOf(https)).replace("@A@.crt", a.certificate().toString())
                .replace("@A@.key", a.key().toString()).replace("@B@.crt", b.certificate().toString())
                .replace("@B@.key", b.key().toString());
    }

    @Test
    void theImportedSiteRedirectsAndServesHttpsAsNginxDoes() throws IOException {
        NginxWebNode.requireNginx();
        TlsFiles files = TlsFiles.in(dir);
        TlsFiles.Pair a = files.rsa("a", "a.example.test");
        TlsFiles.Pair b = files.ec("b", "b.example.test");
        Path bundle = files.concat("bundle.pem", a.certificate(), b.certificate());
        int backend = FreePort.tcp();
        int[] nginx = {FreePort.tcp(), FreePort.tcp()};
        int[] vipgate = {FreePort.tcp(), FreePort.tcp()};
        running.add(NginxWebNode.builder().under(dir).port(backend).location(ECHO)
                .http(site(backend, nginx[0], nginx[1], a, b)).start());

        Path nginxConf = Files.writeString(dir.resolve("site.conf"), "events {}\nhttp {\n" + site(backend, vipgate[0], vipgate[1],
                a, b) + "}\n");
        Importer.Result imported = Importer.run(Optional.empty(), Optional.of(nginxConf), Optional.empty());
        assertThat(imported.rejected()).as(imported.text()).isEmpty();
        assertThat(imported.text()).contains("tls {");
        int admin = FreePort.tcp();
        Path conf = Files.writeString(dir.resolve("site.vipgate.conf"), imported.text()
                + "\nvipgate.admin.listen = \"127.0.0.1:" + admin + "\"\n");
        ApplianceProcess proc = ApplianceProcess.builder(ApplianceProcess.jar()).adminPort(admin)
                .workDir(dir).args("run", "-c", conf.toString()).start();
        running.add(proc);
        proc.awaitHealthy(Duration.ofSeconds(30));

        List<String> differences = new ArrayList<>();
        StringBuilder transcript = new StringBuilder();
        for (String host : List.of("a.example.test", "b.example.test")) {
            for (String target : TARGETS) {
                compare(differences, transcript, "http " + host + target, redirect(nginx[0], host, target),
                        redirect(vipgate[0], host, target));
                compare(differences, transcript, "https " + host + target, https(nginx[1], host, target, bundle),
                        https(vipgate[1], host, target, bundle));
            }
            compare(differences, transcript, "certificate for SNI " + host, SClient.run(nginx[1], host).subject(),
                    SClient.run(vipgate[1], host).subject());
        }
        // no SNI: the address's first server, in both
        compare(differences, transcript, "certificate without SNI", SClient.run(nginx[1], null).subject(),
                SClient.run(vipgate[1], null).subject());
        Files.writeString(Files.createDirectories(Path.of("target/nginx-parity")).resolve("tls-common-shape.txt"), transcript);
        assertThat(transcript.toString()).contains("https a.example.test/x/y?z=1 -> 200 backend saw GET /x/y?z=1"
                + " host=a.example.test proto=https");
        assertThat(differences).as("answers that differ from nginx's\n" + imported.report()).isEmpty();
    }

    private static void compare(List<String> differences, StringBuilder transcript, String what, String nginx, String vipgate) {
        transcript.append(what).append(" -> ").append(nginx).append('\n');
        if (!nginx.equals(vipgate)) {
            differences.add(what + "\n  nginx:   " + nginx + "\n  vipgate: " + vipgate);
        }
    }

    /** Status and Location of a plaintext request (the port as PORT). */
    private static String redirect(int port, String host, String target) {
        try (RawHttp http = RawHttp.connect(port)) {
            RawHttp.Response r = http.get(target, host);
            return r.status() + " Location: " + r.header("Location");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Status and body of an HTTPS request by curl, which verifies the certificate against the two of the test. */
    private static String https(int port, String host, String target, Path bundle) {
        try {
            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--cacert", bundle.toString(), "--resolve",
                    host + ":" + port + ":127.0.0.1", "-w", "%{http_code}", "-o", "-", "https://" + host + ":" + port + target)
                    .redirectErrorStream(true).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(curl.waitFor(15, TimeUnit.SECONDS)).isTrue();
            // the status code comes last, after the body
            String code = out.length() >= 3 ? out.substring(out.length() - 3) : out;
            return code + " " + out.substring(0, out.length() - code.length()).replace("\n", "\\n") + (curl.exitValue() == 0 ? ""
                    : " (curl exit " + curl.exitValue() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
