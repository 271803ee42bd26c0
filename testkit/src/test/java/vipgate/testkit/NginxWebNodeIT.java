package vipgate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NginxWebNodeIT {

    @Test
    void servesItsBodyDiesOnStopAndComesBackOnTheSamePort() throws IOException {
        Path prefix;
        try (NginxWebNode node = NginxWebNode.builder().body("HTTP WEB NODE 07\n").echoHeaders().start()) {
            prefix = node.prefix();
            try (RawHttp c = RawHttp.connect(node.port())) {
                RawHttp.Response r = c.get("/", "web");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("HTTP WEB NODE 07\n");
                RawHttp.Response echo = c.get("/headers", "example.test");
                assertThat(echo.bodyText()).isEqualTo("||example.test|\n");
            }
            int port = node.port();
            RawHttp idle = RawHttp.connect(port);
            try {
                node.stop();
                assertThat(node.isRunning()).isFalse();
                assertThat(FreePort.accepts(port)).isFalse();
                // the box died: a connection that was open is gone too
                assertThat(idle.closedWithin(Duration.ofSeconds(5))).isTrue();
            } finally {
                idle.close();
            }
            node.start();
            assertThat(node.port()).isEqualTo(port);
            try (RawHttp c = RawHttp.connect(port)) {
                assertThat(c.get("/", "web").bodyText()).isEqualTo("HTTP WEB NODE 07\n");
            }
        }
        assertThat(Files.exists(prefix)).as("prefix removed on close").isFalse();
    }

    @Test
    void servesLargeFilesAndCountsRequestsInItsAccessLog() throws IOException, NoSuchAlgorithmException {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        try (NginxWebNode node = NginxWebNode.builder().file("big.bin", big).accessLog(true).start()) {
            try (RawHttp c = RawHttp.connect(node.port())) {
                RawHttp.Response r = c.get("/files/big.bin", "web");
                assertThat(r.status()).isEqualTo(200);
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                assertThat(sha.digest(r.body())).isEqualTo(MessageDigest.getInstance("SHA-256").digest(big));
                c.get("/", "web");
            }
            Await.require(Duration.ofSeconds(5), "two access log lines", () -> node.accessLogLines() == 2);
        }
    }

    @Test
    void aPortInUseIsReportedWithNginxsOwnError() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> NginxWebNode.builder().port(taken.getLocalPort()).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Address already in use");
        }
    }

    @Test
    void loadCountsResponsesPerNode() {
        try (NginxWebNode node = NginxWebNode.start("HTTP WEB NODE 01\n")) {
            HttpLoad.Result r = HttpLoad.get(node.port(), "/").threads(2).maxRequests(200).duration(Duration.ofSeconds(10))
                    .start().await();
            assertThat(r.total()).isEqualTo(200);
            assertThat(r.failures()).as(r.toString()).isZero();
            assertThat(r.byBody()).containsEntry("HTTP WEB NODE 01", 200L);
            assertThat(r.connections()).isEqualTo(2);
        }
    }
}
