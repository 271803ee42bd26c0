package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.RawHttp;
import vipgate.testkit.SClient;
import vipgate.testkit.TlsFiles;

/**
 * Certificate rotation on the real appliance: POST /reload and SIGHUP re-read the certificate files, new handshakes
 * get the new certificate, and a replacement that does not match its key is refused with file:line and the reason
 * while the running certificate keeps serving.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class HttpsReloadIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;
    private NginxWebNode node;
    private ApplianceProcess proxy;

    @AfterEach
    void cleanUp() {
        Cleanup.close(proxy, node);
    }

    private static String config(int admin, int port, String upstream, TlsFiles.Pair site) {
        return """
                vipgate {
                  node-name = "it"
                  admin.listen = "127.0.0.1:%d"
                  lb {
                    event-loops = 1
                    upstreams.web { servers = [ { address = "%s" } ] }
                    servers = [{
                      listen = "127.0.0.1:%d"
                      server-names = ["www.example.test"]
                      locations = [{ path = "/", upstream = web }]
                      tls { certificates = [ { certificate = "%s", key = "%s" } ] }
                    }]
                  }
                }
                """.formatted(admin, upstream, port, site.certificate(), site.key());
    }

    private static BigInteger served(int port) {
        SClient.Result r = SClient.run(port, "www.example.test");
        assertThat(r.handshook()).as(r.toString()).isTrue();
        assertThat(r.output()).as("the web node's answer through the proxy").contains("NODE A");
        return r.serial();
    }

    private static void replace(Path target, Path with) throws IOException {
        Files.move(with, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void reloadsReReadTheCertificateFilesAndRefuseABrokenOne() throws Exception {
        node = NginxWebNode.start("NODE A\n");
        TlsFiles files = TlsFiles.in(dir);
        TlsFiles.Pair site = files.rsa("site", "www.example.test");
        int admin = FreePort.tcp();
        int port = FreePort.tcp();
        Path file = dir.resolve("vipgate.conf");
        String text = config(admin, port, node.address(), site);
        ItSupport.write(file, text);
        proxy = ItSupport.run(file, admin, "-Dio.netty.leakDetection.level=paranoid");
        BigInteger first = served(port);

        // 1. POST /reload after the certificate file was renewed
        replace(site.certificate(), files.selfSigned("renewed", site.key(), "www.example.test"));
        RawHttp.Response reloaded = ItSupport.admin(admin, "POST", "/reload");
        assertThat(reloaded.status()).as(reloaded.bodyText()).isEqualTo(200);
        BigInteger second = served(port);
        assertThat(second).isNotEqualTo(first);

        // 2. SIGHUP after another renewal
        replace(site.certificate(), files.selfSigned("renewed-again", site.key(), "www.example.test"));
        proxy.hangup();
        Await.require(WAIT, "the SIGHUP reload to serve the renewed certificate", () -> !served(port).equals(second));
        BigInteger third = served(port);

        // 3. a certificate for another key: refused with its line, by POST /reload and by SIGHUP; the old one serves
        replace(site.certificate(), files.rsa("stranger", "www.example.test").certificate());
        // the tls line: the lines before it, and its own indentation as one more
        int line = (int) text.substring(0, text.indexOf("tls {")).lines().count();
        RawHttp.Response refused = ItSupport.admin(admin, "POST", "/reload");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.bodyText()).contains("the previous configuration is still running")
                .contains(file + ":" + line + ": vipgate.lb.servers[0].tls.certificates[0].key: " + site.key()
                        + ": the key does not belong to the certificate CN=www.example.test");
        assertThat(served(port)).isEqualTo(third);
        proxy.hangup();
        Await.require(WAIT, "the refused SIGHUP reload in the log", () -> proxy.log().split("reload refused", -1).length - 1 >= 2);
        assertThat(served(port)).isEqualTo(third);

        assertThat(proxy.stop(Duration.ofSeconds(30))).as("exit status after SIGTERM").isZero();
        ItSupport.assertCleanLog(proxy);
    }
}
