package vipgate.lb.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ServerMetrics;

class LoopPoolTest {
    private final ServerMetrics metrics = new LbMetrics().upstream("web").server("10.0.0.1:80");
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final LoopPool pool = new LoopPool();
    private final UpstreamConnection connection = new UpstreamConnection(channel, "10.0.0.1:80", metrics);

    @BeforeEach
    void park() {
        pool.offer("web", connection, 8, TimeUnit.SECONDS.toNanos(60));
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(metrics.idleConnections()).isEqualTo(1);
    }

    /** 08cb094 left a closed connection in the pool, counted idle, until a request or the idle timeout found it. */
    @Test
    void aConnectionClosedWhileIdleLeavesThePoolAtOnce() {
        channel.close(); // the server's FIN, or the upstream codec closing on bytes nobody asked for
        assertThat(pool.idleCount()).isZero();
        assertThat(metrics.idleConnections()).isZero();
    }

    @Test
    void aConnectionClosedWhileBusyIsNotTouched() {
        assertThat(pool.poll("web", "10.0.0.1:80")).isSameAs(connection);
        channel.close();
        assertThat(pool.idleCount()).isZero();
        assertThat(metrics.idleConnections()).isZero();
    }
}
