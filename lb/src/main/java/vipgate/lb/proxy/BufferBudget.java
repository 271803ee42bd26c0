package vipgate.lb.proxy;

import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The direct memory the proxy's buffers use, all connections together, against a limit below the JVM's. One
 * connection holds little (its upstream is no longer read once ~64 KiB wait for the client), but thousands of slow
 * readers, each with its socket reads and queued writes, used to exhaust the direct memory, and then every allocation
 * failed. Over the limit the proxy sheds before it takes on more: new connections are closed at once, new requests get
 * 503, and the connections whose clients do not keep up (unwritable ones, the slow readers) are cut, which gives their
 * memory back.
 *
 * <p>What is measured is the memory itself (the JDK's direct buffer counter, plus Netty's own when it allocates
 * without the JDK), not an estimate: read buffers pinned by queued slices count as what they are.
 */
public final class BufferBudget {
    private static final Logger LOG = Logger.getLogger(BufferBudget.class.getName());
    /** A sweep of the slow readers at most this often: each one frees their buffers, a new one finds few. */
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final BufferPoolMXBean JDK_DIRECT = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> "direct".equals(b.getName())).findFirst().orElseThrow();
    private static final LongSupplier DIRECT_MEMORY_USED =
            () -> JDK_DIRECT.getMemoryUsed() + Math.max(0, PlatformDependent.usedDirectMemory());

    /** Fired on a client channel whose response is cut to free memory. */
    static final Object SHED = new Object();

    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime());
    private final AtomicLong nextWarning = new AtomicLong(System.nanoTime());
    private final LongAdder shed = new LongAdder();
    private final Iterable<Channel> clients;
    private final LongSupplier used;
    private volatile long limit;

    /**
     * @param limit bytes, or 0 for three quarters of the JVM's direct memory limit (-XX:MaxDirectMemorySize, or
     *     -Dio.netty.maxDirectMemory): the rest is the margin for what connections already admitted still allocate
     */
    public BufferBudget(Iterable<Channel> clients, long limit) {
        this(clients, limit, DIRECT_MEMORY_USED);
    }

    BufferBudget(Iterable<Channel> clients, long limit, LongSupplier used) {
        this.clients = clients;
        this.used = used;
        limit(limit);
    }

    public void limit(long bytes) {
        this.limit = bytes > 0 ? bytes : PlatformDependent.maxDirectMemory() / 4 * 3;
    }

    public long limit() {
        return limit;
    }

    /** Connections refused, requests answered 503 and responses cut because the budget was spent. */
    public long shedCount() {
        return shed.sum();
    }

    boolean exceeded() {
        return used.getAsLong() > limit;
    }

    /**
     * Whether new work (a connection, a request) may start. When not, the refusal is counted and the slow readers
     * are cut, so the refusals end as soon as their memory is back.
     */
    boolean admit() {
        if (!exceeded()) {
            return true;
        }
        shedOne();
        long now = System.nanoTime();
        long sweep = nextSweep.get();
        if (now - sweep >= 0 && nextSweep.compareAndSet(sweep, now + SWEEP_INTERVAL_NANOS)) {
            for (Channel c : clients) {
                if (!c.isWritable()) {
                    // runs on the channel's own loop
                    c.pipeline().fireUserEventTriggered(SHED);
                }
            }
        }
        return false;
    }

    /** Counts one shed item and says so in the log now and then. */
    void shedOne() {
        shed.increment();
        long now = System.nanoTime();
        long warn = nextWarning.get();
        if (now - warn >= 0 && nextWarning.compareAndSet(warn, now + WARN_INTERVAL_NANOS)) {
            LOG.warning(() -> "buffer budget spent: " + (used.getAsLong() >> 10) + " KiB of direct memory in use (limit "
                    + (limit >> 10) + " KiB, vipgate.lb.max-buffer-memory); refusing new connections and cutting slow "
                    + "readers (" + shed.sum() + " so far)");
        }
    }
}
