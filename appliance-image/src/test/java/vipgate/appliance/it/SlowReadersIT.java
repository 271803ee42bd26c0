package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import vipgate.lb.OutOfMemory;
import vipgate.testkit.ApplianceProcess;
import vipgate.testkit.Await;
import vipgate.testkit.FreePort;
import vipgate.testkit.NginxWebNode;

/**
 * Issue 12 item 5: many clients that ask for a large response and never read it must not exhaust the proxy's direct
 * memory. On 08cb094 the event loops ended in {@code OutOfMemoryError: Cannot reserve ... direct buffer memory} and
 * the proxy never answered again; now the buffer budget sheds the attack and the proxy serves once it is gone.
 */
@ExtendWith(ApplianceProcess.LogsOnFailure.class)
class SlowReadersIT {
    private static final int READERS = 1000;
    /** Far more than the kernel's socket buffers take, so the rest piles up in the proxy. */
    private static final long FILE = 64L << 20;
    /** The heap of a small box; its direct memory is smaller still: 1000 connections could use 64 KiB and more each. */
    private static final String HEAP = "-Xmx128m";

    @TempDir
    static Path dir;

    private static NginxWebNode nginx;
    private ApplianceProcess proxy;
    private int port;

    @BeforeAll
    static void startNginx() throws IOException {
        Path big = dir.resolve("big.bin");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(FILE);
        }
        nginx = NginxWebNode.builder().location("location = /big { alias " + big + "; }").start();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private void startProxy(String directMemory, String lb) {
        int admin = FreePort.tcp();
        port = FreePort.tcp();
        Path file = ItSupport.write(dir.resolve("vipgate-" + port + ".conf"),
                ItSupport.config(admin, List.of(port), List.of(nginx.address()), lb, ""));
        proxy = ItSupport.run(file, admin, HEAP, "-XX:MaxDirectMemorySize=" + directMemory);
    }

    @Test
    void slowReadersAreShedAndTheProxyServesAfterwards() throws Exception {
        // 08cb094 wedged at 12m and at 32m
        startProxy("16m", "");
        List<Socket> readers = attack();
        try {
            // The budget says when it sheds; 08cb094 ran out of memory within seconds and said nothing (its event loops
            // logged the OutOfMemoryError at FINE, or ended), so the attack lasts at most this long.
            Await.until(Duration.ofSeconds(15), () -> proxy.log().contains("buffer budget spent"));
        } finally {
            closeAll(readers);
        }
        System.out.printf("SlowReadersIT: %d slow readers of %d MiB connected; proxy RSS peak %d MiB%n", readers.size(),
                FILE >> 20, proxy.peakRssKiB() / 1024);
        // once the attackers are gone the proxy serves again, at once
        Await.require(Duration.ofSeconds(15), () -> "the proxy does not answer after the attack; output:\n" + proxy.log(),
                this::answers);
        assertThat(proxy.isAlive()).isTrue();
        assertThat(proxy.admin("/healthz").strip()).isEqualTo("ok");
        assertThat(proxy.log()).as("the attack spent the budget").contains("buffer budget spent");
        ItSupport.assertCleanLog(proxy);
    }

    /** Without the budget the memory runs out: then the process exits for systemd to restart it, never lingers. */
    @Test
    void runningOutOfMemoryExitsForARestart() throws Exception {
        startProxy("12m", "max-buffer-memory = 1g");
        List<Socket> readers = attack();
        try {
            assertThat(proxy.awaitExit(Duration.ofSeconds(20))).as("exit status; output:\n%s", proxy.log())
                    .isEqualTo(OutOfMemory.EXIT_STATUS);
        } finally {
            closeAll(readers);
        }
        assertThat(proxy.log()).contains("OutOfMemoryError").contains("leaving VRRP and exiting for a restart");
    }

    /** READERS connections that each ask for the big file and never read. */
    private List<Socket> attack() throws IOException {
        List<Socket> readers = new ArrayList<>();
        byte[] request = "GET /big HTTP/1.1\r\nHost: it.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < READERS; i++) {
            Socket s = new Socket();
            // a tiny window: the proxy's writes pile up in its own buffers, not in the test's socket
            s.setReceiveBufferSize(2048);
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                s.getOutputStream().write(request);
                readers.add(s);
            } catch (IOException e) {
                // refused or reset by a shedding proxy: the point of the test
                s.close();
            }
        }
        return readers;
    }

    private static void closeAll(List<Socket> readers) throws IOException {
        for (Socket s : readers) {
            s.close();
        }
    }

    private boolean answers() {
        try {
            ItSupport.get(port, "/");
            return true;
        } catch (IOException | RuntimeException | AssertionError e) {
            return false;
        }
    }
}
