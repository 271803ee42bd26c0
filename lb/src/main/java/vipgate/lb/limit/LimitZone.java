package vipgate.lb.limit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import vipgate.lb.http.Template;

/**
 * nginx's {@code limit_req_zone}: per key (a template, e.g. {@code $binary_remote_addr}) a {@link LeakyBucket}
 * draining at the zone's rate, shared by every event loop (a key's requests are serialised by the map's per-key
 * update, nothing else is locked). Bounded like nginx's zone: {@code size / 64} keys; a new key over that drops the
 * longest idle of a sample (or the first key idle a minute).
 */
public final class LimitZone {
    /** nginx's estimate: a 1 MiB zone holds about 16,000 64-byte states. */
    static final int STATE_BYTES = 64;
    private static final long IDLE_MILLIS = 60_000;
    private static final int EVICTION_SAMPLE = 16;

    private final String name;
    private final Template key;
    /** Thousandths of a request per second. */
    private final long rate;
    private final int capacity;
    private final Map<String, LeakyBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();

    public LimitZone(String name, Template key, long milliRequestsPerSecond, long sizeBytes) {
        this.name = name;
        this.key = key;
        this.rate = milliRequestsPerSecond;
        this.capacity = capacity(sizeBytes);
    }

    /** The keys a zone of {@code sizeBytes} holds, as nginx counts them (limit_conn zones too). */
    static int capacity(long sizeBytes) {
        return (int) Math.max(1, sizeBytes / STATE_BYTES);
    }

    public String name() {
        return name;
    }

    public Template key() {
        return key;
    }

    /**
     * Takes a request for key {@code k} at {@code nowMillis} against {@code burst} (requests over the rate let
     * through) and {@code delay} (of those, how many go at once): -1 when refused, else the milliseconds it waits.
     * Atomic per key.
     */
    long take(String k, long nowMillis, long burst, long delay) {
        long[] wait = {0};
        if (!buckets.containsKey(k) && buckets.size() >= capacity) {
            evictOne(nowMillis);
        }
        buckets.compute(k, (key, b) -> {
            if (b == null) {
                return new LeakyBucket(nowMillis);
            }
            long excess = b.excessAt(nowMillis, rate);
            if (excess > burst * 1000) {
                wait[0] = -1;
                return b;
            }
            b.accept(nowMillis, excess);
            long over = excess - delay * 1000;
            wait[0] = over <= 0 ? 0 : over * 1000 / rate;
            return b;
        });
        if (wait[0] < 0) {
            refused.incrementAndGet();
        } else if (wait[0] > 0) {
            delayed.incrementAndGet();
        }
        return wait[0];
    }

    /**
     * Makes room for a new key: of a sample of keys, the one idle longest goes (a sampled LRU: constant work per new
     * key, so a flood of new keys costs no scan of the zone).
     */
    private void evictOne(long nowMillis) {
        String victim = null;
        long oldest = Long.MAX_VALUE;
        int sampled = 0;
        for (Map.Entry<String, LeakyBucket> e : buckets.entrySet()) {
            long last = e.getValue().lastMillis();
            if (last < oldest) {
                oldest = last;
                victim = e.getKey();
            }
            if (++sampled == EVICTION_SAMPLE || nowMillis - last >= IDLE_MILLIS) {
                break;
            }
        }
        if (victim != null) {
            buckets.remove(victim);
        }
    }

    public int keys() {
        return buckets.size();
    }

    public long refused() {
        return refused.get();
    }

    public long delayed() {
        return delayed.get();
    }

    /** Whether {@code other} is the same zone definition (a reload keeps this zone's state then). */
    public boolean sameDefinition(String otherKey, long otherRate, long otherSize) {
        return key.toString().equals(otherKey) && rate == otherRate && capacity == capacity(otherSize);
    }
}
