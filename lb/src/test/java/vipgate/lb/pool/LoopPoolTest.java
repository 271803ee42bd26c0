package vipgate.lb.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vipgate.lb.metrics.LbMetrics;
import vipgate.lb.metrics.ServerMetrics;

class LoopPoolTest {
    private final ServerMetrics metrics = new LbMetrics().upstream("web").server("10.0.0.1:80");
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicLong now = new AtomicLong();
    private final LoopPool pool = new LoopPool(now::get);
    private final UpstreamConnection connection = new UpstreamConnection(channel, "10.0.0.1:80", metrics);

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    @BeforeEach
    void park() {
        pool.offer("web", connection, 8, MINUTE, SECOND);
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

    private UpstreamConnection another(EmbeddedChannel ch) {
        return new UpstreamConnection(ch, "10.0.0.1:80", metrics);
    }

    @Test
    void aBurstBeyondTheLimitKeepsItsConnectionsForTheSurplusTimeout() {
        EmbeddedChannel second = new EmbeddedChannel();
        pool.offer("web", another(second), 1, MINUTE, SECOND);
        // a burst needed two: the second is kept while it may be needed again, most recently used first
        assertThat(pool.idleCount()).isEqualTo(2);
        assertThat(pool.poll("web", "10.0.0.1:80").channel()).isSameAs(second);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void theSurplusThatIdledPastItsTimeoutClosesAtTheNextGiveBack() {
        EmbeddedChannel second = new EmbeddedChannel();
        now.addAndGet(SECOND);
        pool.offer("web", another(second), 1, MINUTE, SECOND);
        assertThat(channel.isActive()).as("idle for the surplus timeout").isFalse();
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(second.isActive()).isTrue();
    }

    @Test
    void aSurplusTimeoutOfZeroClosesTheLeastRecentlyUsedAtOnceAsNginxDoes() {
        EmbeddedChannel second = new EmbeddedChannel();
        pool.offer("web", another(second), 1, MINUTE, 0);
        assertThat(channel.isActive()).isFalse();
        assertThat(pool.idleCount()).isEqualTo(1);
    }

    @Test
    void whenTrafficStopsASweepClosesTheSurplusAfterItsTimeout() {
        EmbeddedChannel second = new EmbeddedChannel();
        second.freezeTime(); // the sweep runs on the loop of the connection given back over the limit
        pool.offer("web", another(second), 1, MINUTE, SECOND);
        elapse(second, SECOND / 2);
        assertThat(pool.idleCount()).isEqualTo(2);
        elapse(second, SECOND / 2);
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(channel.isActive()).as("the least recently used").isFalse();
        assertThat(second.isActive()).isTrue();
    }

    private void elapse(EmbeddedChannel loop, long nanos) {
        now.addAndGet(nanos);
        loop.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        loop.runScheduledPendingTasks();
    }
}
