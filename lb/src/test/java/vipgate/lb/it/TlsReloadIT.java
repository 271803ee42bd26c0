package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.config.ConfigException;
import vipgate.testkit.Await;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NginxWebNode;
import vipgate.testkit.NoLeaks;
import vipgate.testkit.RawHttp;
import vipgate.testkit.TlsFiles;

/**
 * Certificate rotation by reload: the files are re-read, new handshakes get the new certificate, a connection made
 * before keeps going on the old one, rotations under HTTPS keep-alive load (wrk) fail no request, and a
 * replacement that cannot be served is refused with the reason while the running certificate keeps serving.
 */
@ExtendWith(NoLeaks.class)
class TlsReloadIT {
    @TempDir
    Path dir;
    private TlsFiles files;
    private Path certificate;
    private Path key;
    private String body;
    private NginxWebNode node;
    private LbUnderTest lb;

    @BeforeEach
    void start() {
        files = TlsFiles.in(dir);
        TlsFiles.Pair first = files.rsa("site", "www.example.test");
        certificate = first.certificate();
        key = first.key();
        node = NginxWebNode.start("HTTP WEB NODE 01\n");
        body = """
                event-loops = 1
                client.keepalive-requests = 100
                upstreams.web { servers = [ { address = "%s" } ] }
                servers = [ { listen = "127.0.0.1:${PORT}", server-names = ["www.example.test"]
                  locations = [ { path = "/", upstream = web } ]
                  tls { certificates = [ { certificate = "%s", key = "%s" } ] } } ]
                """.formatted(node.address(), certificate, key);
        lb = LbUnderTest.start(body);
    }

    @AfterEach
    void stop() {
        Cleanup.close(lb, node);
    }

    /** The serial of the certificate a new handshake gets. */
    private BigInteger servedSerial() throws Exception {
        try (SSLSocket s = connect()) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static BigInteger serialOf(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    /** A JDK TLS client trusting whatever this test wrote as the certificate (all versions of it). */
    private SSLSocket connect() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var certs = Files.list(dir)) {
            for (Path p : certs.filter(p -> p.toString().endsWith(".crt") || p.toString().endsWith(".pem")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    trust.setCertificateEntry(p.getFileName().toString(), CertificateFactory.getInstance("X.509").generateCertificate(in));
                }
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), lb.port);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("www.example.test")));
        s.setSSLParameters(p);
        return s;
    }

    /** Replaces the served certificate file as an operator's tool would: write aside, rename over. */
    private void replaceCertificate(Path with) throws IOException {
        Files.move(with, certificate, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aReloadServesTheNewCertificateToNewHandshakesAndKeepsOpenConnections() throws Exception {
        BigInteger before = servedSerial();
        assertThat(before).isEqualTo(serialOf(certificate));
        try (RawHttp open = RawHttp.over(connect())) {
            assertThat(open.get("/", "www.example.test").status()).isEqualTo(200);
            replaceCertificate(files.selfSigned("renewed", key, "www.example.test"));
            BigInteger renewed = serialOf(certificate);
            assertThat(renewed).isNotEqualTo(before);
            lb.reload(body);
            assertThat(servedSerial()).isEqualTo(renewed);
            // the connection made before the reload goes on, on its old certificate
            RawHttp.Response again = open.get("/", "www.example.test");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.bodyText()).isEqualTo("HTTP WEB NODE 01\n");
            assertThat(((X509Certificate) ((SSLSocket) open.socket()).getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(before);
        }
    }

    @Test
    void aReplacementThatCannotBeServedIsRefusedAndTheOldOneKeepsServing() throws Exception {
        BigInteger serving = servedSerial();
        Path saved = files.concat("saved.pem", certificate);

        // a certificate for another key
        replaceCertificate(files.rsa("stranger", "www.example.test").certificate());
        assertThat(refusal()).contains("the key does not belong to the certificate");
        assertThat(servedSerial()).isEqualTo(serving);

        // expired
        replaceCertificate(files.expired("old", key, "www.example.test"));
        assertThat(refusal()).contains("expired on 2020-02-01T00:00:00Z");
        assertThat(servedSerial()).isEqualTo(serving);

        // not covering the server's name
        replaceCertificate(files.selfSigned("elsewhere", key, "elsewhere.example.test"));
        assertThat(refusal()).contains("does not cover www.example.test");
        assertThat(servedSerial()).isEqualTo(serving);

        // missing
        Files.delete(certificate);
        assertThat(refusal()).contains("cannot read " + certificate + ": no such file");
        assertThat(servedSerial()).isEqualTo(serving);

        // put back, the same certificate: nothing to change, the server's TLS (and its session cache) is kept
        Files.copy(saved, certificate);
        var running = List.copyOf(lb.engine.context().routing().tls().values());
        lb.reload(body);
        assertThat(servedSerial()).isEqualTo(serving);
        assertThat(lb.engine.context().routing().tls().values()).singleElement().isSameAs(running.get(0));
    }

    @Test
    void rotationsUnderHttpsKeepAliveLoadFailNoRequest() throws Exception {
        Path output = dir.resolve("wrk.out");
        Process wrk = new ProcessBuilder("wrk", "-t1", "-c8", "-d8s", "https://127.0.0.1:" + lb.port + "/")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            var listener = lb.engine.metrics().listeners().stream()
                    .filter(l -> l.address().equals("127.0.0.1:" + lb.port)).findFirst().orElseThrow();
            for (int i = 0; i < 3; i++) {
                // wrk's connections close after keepalive-requests (100 here) and reconnect: new handshakes
                long handshakes = listener.tlsHandshakes();
                Await.require(Duration.ofSeconds(5), () -> "wrk to make new handshakes, at " + listener.tlsHandshakes()
                        + " (" + listener.tlsHandshakeFailures() + " failed): " + read(output),
                        () -> listener.tlsHandshakes() >= handshakes + 8);
                replaceCertificate(files.selfSigned("rotation-" + i, key, "www.example.test"));
                BigInteger rotated = serialOf(certificate);
                lb.reload(body);
                assertThat(servedSerial()).isEqualTo(rotated);
            }
            assertThat(wrk.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String out = read(output);
            System.out.println("TlsReloadIT wrk over https during 3 rotations:\n" + out);
            assertThat(out).contains("requests in").doesNotContain("Socket errors").doesNotContain("Non-2xx");
        } finally {
            wrk.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String refusal() {
        ConfigException e = catchThrowableOfType(() -> lb.reload(body), ConfigException.class);
        assertThat(e).as("the reload should be refused").isNotNull();
        return e.getMessage();
    }
}
