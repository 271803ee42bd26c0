package vipgate.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TcpConnectCheckerTest {
    private static EventLoopGroup group;

    @BeforeAll
    static void startLoop() {
        group = NettyTestSupport.newGroup();
    }

    @AfterAll
    static void stopLoop() {
        NettyTestSupport.shutdown(group);
    }

    private static TcpConnectChecker checker(int port) {
        return new TcpConnectChecker(group, NettyTestSupport.NIO,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Duration.ofSeconds(1));
    }

    @Test
    void listeningPortIsHealthy() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CheckResult result = checker(server.getLocalPort()).check().get(5, TimeUnit.SECONDS);
            assertThat(result.healthy()).isTrue();
            assertThat(result.detail()).isEqualTo("connected");
            assertThat(result.latencyNanos()).isPositive();
        }
    }

    @Test
    void closedPortIsUnhealthyAndSaysRefused() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }
        CheckResult result = checker(port).check().get(5, TimeUnit.SECONDS);
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).contains("refused");
    }

    @Test
    void shutDownEventLoopGivesAnUnhealthyResultNotAnException() throws Exception {
        EventLoopGroup gone = NettyTestSupport.newGroup();
        NettyTestSupport.shutdown(gone);
        CheckResult result = new TcpConnectChecker(gone, NettyTestSupport.NIO,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), Duration.ofSeconds(1)).check().get(5, TimeUnit.SECONDS);
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).isEqualTo("event loops are shut down");
    }

    @Test
    void refusesUnresolvedTargetsUpFront() {
        assertThatThrownBy(() -> new TcpConnectChecker(group, NettyTestSupport.NIO,
                InetSocketAddress.createUnresolved("web1", 80), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("web1:80 is not resolved");
    }

    @Test
    void refusesNonPositiveTimeouts() {
        assertThatThrownBy(() -> new TcpConnectChecker(group, NettyTestSupport.NIO,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 80), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("greater than 0");
    }
}
