package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.TlsFiles;

/**
 * testssl.sh (Debian package testssl.sh) against vipgate's HTTPS defaults and against nginx-light's on the same ECDSA
 * certificate: vipgate must have no finding of severity MEDIUM or above that nginx does not also have. Both JSON
 * reports and the comparison are written to target/testssl/. About 50 s per scan, so ~2 min in all.
 *
 * <p>Outcome on Debian 12 (testssl 3.0.8, BoringSSL 2.0.84, nginx 1.22.1 + OpenSSL 3.0), MEDIUM and above:
 * <ul>
 * <li>both: cert_chain_of_trust CRITICAL (self-signed), cert_trust HIGH (an IP scanned, the certificate names
 *     localhost), cert_expirationStatus and cert_notAfter HIGH (the test's certificate lives 30 days),
 *     cert_revocation HIGH (no CRL/OCSP URI), cipher_order HIGH (the client's order wins: nginx's
 *     ssl_prefer_server_ciphers off, vipgate's prefer-server-ciphers = false, deliberately), security_headers MEDIUM
 *     (no HSTS: the site's choice, a response header);</li>
 * <li>vipgate only: none (the same on the JDK's TLS, -Dio.netty.handler.ssl.noOpenSsl=true).</li>
 * </ul>
 * Below MEDIUM, nginx has three LOW findings vipgate has not, from the CBC suites of its default ssl_ciphers
 * (cipherlist_AVERAGE, cipher_negotiated, LUCKY13); both have HSTS and DNS_CAArecord (LOW). Neither offers SSLv3, TLS
 * 1.0 or 1.1 (OpenSSL 3's default security level refuses them for nginx), client-initiated renegotiation or
 * compression. The certificate findings come from the test's certificate, not from either server.
 */
@ExtendWith(NoLeaks.class)
class TestsslIT {
    private static final Path TESTSSL = Path.of("/usr/bin/testssl");
    private static final Set<String> SERIOUS = Set.of("MEDIUM", "HIGH", "CRITICAL");
    private static final Path REPORTS = Path.of("target/testssl");

    @TempDir
    Path dir;

    @Test
    void vipgateHasNoSeriousFindingThatNginxHasNot() throws Exception {
        assertThat(TESTSSL).as("install testssl.sh (Debian package testssl.sh)").isExecutable();
        TlsFiles files = TlsFiles.in(dir);
        TlsFiles.Pair ec = files.ec("site", "localhost");
        Files.createDirectories(REPORTS);
        NginxWebNode nginx = null;
        LbUnderTest lb = null;
        try {
            nginx = NginxWebNode.builder().body("ok\n")
                    .ssl("ssl_certificate " + ec.certificate() + ";", "ssl_certificate_key " + ec.key() + ";").start();
            lb = LbUnderTest.start("""
                    event-loops = 1
                    servers = [ { listen = "127.0.0.1:${PORT}", server-names = ["localhost"], return = "200 ok"
                      tls { certificates = [ { certificate = "%s", key = "%s" } ] } } ]
                    """.formatted(ec.certificate(), ec.key()));
            Set<String> fromNginx = serious(scan("nginx", nginx.port()));
            Set<String> fromVipgate = serious(scan("vipgate", lb.port));
            Set<String> vipgateOnly = new TreeSet<>(fromVipgate);
            vipgateOnly.removeAll(fromNginx);
            Files.writeString(REPORTS.resolve("comparison.txt"), "MEDIUM and above\nnginx:   " + fromNginx + "\nvipgate: "
                    + fromVipgate + "\nvipgate only: " + vipgateOnly + "\n");
            System.out.println("TestsslIT: nginx " + fromNginx + "; vipgate " + fromVipgate);
            assertThat(vipgateOnly).as("findings of severity MEDIUM or above that nginx does not have (target/testssl/)").isEmpty();
        } finally {
            Cleanup.close(lb, nginx);
        }
    }

    /** Runs a whole default scan of 127.0.0.1:port; the JSON report is target/testssl/NAME.json. */
    private static List<? extends Config> scan(String name, int port) throws IOException, InterruptedException {
        Path json = REPORTS.resolve(name + ".json");
        Files.deleteIfExists(json);
        Process p = new ProcessBuilder(TESTSSL.toString(), "--quiet", "--color", "0", "--warnings", "batch", "--jsonfile",
                json.toString(), "127.0.0.1:" + port).redirectErrorStream(true)
                .redirectOutput(REPORTS.resolve(name + ".txt").toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("testssl did not finish within 5 minutes against " + name);
        }
        assertThat(json).as("testssl's report, see " + REPORTS.resolve(name + ".txt")).exists();
        // testssl's JSON is a list of findings; HOCON reads JSON, under a key
        String text = Files.readString(json, StandardCharsets.UTF_8);
        return ConfigFactory.parseString("findings = " + text).getConfigList("findings");
    }

    /** "ID SEVERITY" of each finding of severity MEDIUM or above. */
    private static Set<String> serious(List<? extends Config> findings) {
        Set<String> out = new TreeSet<>();
        for (Config f : findings) {
            if (SERIOUS.contains(f.getString("severity"))) {
                out.add(f.getString("id") + " " + f.getString("severity"));
            }
        }
        return out;
    }
}
