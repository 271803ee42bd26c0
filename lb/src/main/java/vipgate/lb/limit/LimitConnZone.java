package vipgate.lb.limit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import vipgate.lb.http.Template;

/**
 * nginx's {@code limit_conn_zone}: per key (a template, e.g. {@code $binary_remote_addr}) the requests being served
 * now, shared by every event loop (a key's count changes under the map's per-key update, nothing else is locked).
 * Bounded like nginx's zone: {@code size / 64} keys; a key at zero leaves the zone, and a new key in a full zone is
 * refused (nginx's "zone is full"), since live counts cannot be evicted.
 */
public final class LimitConnZone {
    private final String name;
    private final Template key;
    private final int capacity;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();

    public LimitConnZone(String name, Template key, long sizeBytes) {
        this.name = name;
        this.key = key;
        this.capacity = LimitZone.capacity(sizeBytes);
    }

    public String name() {
        return name;
    }

    public Template key() {
        return key;
    }

    /** Counts one more request of {@code k} unless it already has {@code max} (or the zone is full); whether it did. */
    boolean acquire(String k, int max) {
        boolean[] taken = {false};
        if (!counts.containsKey(k) && counts.size() >= capacity) {
            refused.incrementAndGet();
            return false;
        }
        counts.compute(k, (key, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        if (!taken[0]) {
            refused.incrementAndGet();
        }
        return taken[0];
    }

    /** One request of {@code k} is over; the key leaves the zone at zero. */
    void release(String k) {
        counts.computeIfPresent(k, (key, n) -> n <= 1 ? null : n - 1);
    }

    /** Requests of {@code k} being served now. */
    int count(String k) {
        return counts.getOrDefault(k, 0);
    }

    public int keys() {
        return counts.size();
    }

    public long refused() {
        return refused.get();
    }

    /** Whether {@code otherKey} and {@code otherSize} define this zone again (a reload keeps its counts then). */
    public boolean sameDefinition(String otherKey, long otherSize) {
        return key.toString().equals(otherKey) && capacity == LimitZone.capacity(otherSize);
    }
}
