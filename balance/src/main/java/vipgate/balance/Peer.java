package vipgate.balance;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

/**
 * One upstream server (an nginx {@code server} line inside {@code upstream}), shared by every event loop.
 *
 * <p>The configuration is immutable. The runtime state mirrors nginx's {@code ngx_http_upstream_rr_peer_t}
 * and is only touched under the lock of the one {@link Balancer} that owns the peer; the public readers
 * take that lock too, so status pages see consistent values. Only {@link #setHealthy} is written from
 * outside, by an active health checker.
 */
public final class Peer {

    private final String name;
    private final InetSocketAddress address;
    private final int weight;
    private final int maxFails;
    private final long failTimeoutNanos;
    private final int maxConns;
    private final boolean backup;
    private final boolean down;

    /** The owning balancer's lock; null until a balancer adopts this peer. */
    private final AtomicReference<Lock> owner = new AtomicReference<>();

    // Guarded by the owner's lock; names follow nginx's fields.
    long currentWeight;
    int effectiveWeight;
    int fails;
    long accessedNanos;
    long checkedNanos;
    int conns;

    private volatile boolean healthy = true;

    private Peer(Builder b) {
        this.name = b.name;
        this.address = b.address;
        this.weight = b.weight;
        this.maxFails = b.maxFails;
        this.failTimeoutNanos = b.failTimeoutNanos;
        this.maxConns = b.maxConns;
        this.backup = b.backup;
        this.down = b.down;
        this.effectiveWeight = b.weight;
    }

    /**
     * A peer with nginx's defaults: weight 1, max_fails 1, fail_timeout 10s, no max_conns, neither backup nor
     * down. {@code name} is the server as written ({@code 127.0.0.1:8081}, {@code [::1]:80}); consistent hashing
     * places the server on its ring by this name, as nginx does.
     */
    public static Builder builder(String name, InetSocketAddress address) {
        return new Builder(name, address);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    public int maxFails() {
        return maxFails;
    }

    public long failTimeoutNanos() {
        return failTimeoutNanos;
    }

    public int maxConns() {
        return maxConns;
    }

    public boolean isBackup() {
        return backup;
    }

    /** Marked {@code down} in the configuration. */
    public boolean isDown() {
        return down;
    }

    /** The active health checker's verdict; an unhealthy peer is skipped exactly like a {@code down} one. */
    public boolean isHealthy() {
        return healthy;
    }

    public void setHealthy(boolean healthy) {
        this.healthy = healthy;
    }

    public int fails() {
        return underOwnerLock(() -> fails);
    }

    public int effectiveWeight() {
        return underOwnerLock(() -> effectiveWeight);
    }

    public long currentWeight() {
        return underOwnerLock(() -> currentWeight);
    }

    /** Requests currently holding this peer: selected and not yet released. */
    public int conns() {
        return underOwnerLock(() -> conns);
    }

    /**
     * Whether a new request could be sent here at {@code nowNanos} (on the balancer's clock): not down,
     * healthy and not resting after max_fails failures. A full peer (at max_conns) is still available.
     */
    public boolean isAvailable(long nowNanos) {
        return underOwnerLock(() -> isUp() && !isResting(nowNanos));
    }

    /** Called once by the balancer that takes charge of this peer's runtime state. */
    void adopt(Lock lock) {
        if (!owner.compareAndSet(null, lock)) {
            throw new IllegalArgumentException("peer " + name + " already belongs to another balancer");
        }
    }

    boolean isOwnedBy(Lock lock) {
        return owner.get() == lock;
    }

    boolean isUp() {
        return !down && healthy;
    }

    /** nginx's passive health check: max_fails failures, the last one less than fail_timeout ago. */
    boolean isResting(long now) {
        return maxFails != 0 && fails >= maxFails && now - checkedNanos <= failTimeoutNanos;
    }

    boolean isFull() {
        return maxConns != 0 && conns >= maxConns;
    }

    /** After a selection: once fail_timeout has passed, this use is the probe whose success clears fails. */
    void markChecked(long now) {
        if (now - checkedNanos > failTimeoutNanos) {
            checkedNanos = now;
        }
    }

    /** nginx lowers the weight on each failure and restores it by one per selection round. */
    void recordFailure(long now) {
        fails++;
        accessedNanos = now;
        checkedNanos = now;
        if (maxFails != 0) {
            effectiveWeight = Math.max(0, effectiveWeight - weight / maxFails);
        }
    }

    /** Only a success after a probe (see {@link #markChecked}) clears the failures. */
    void recordSuccess() {
        if (accessedNanos < checkedNanos) {
            fails = 0;
        }
    }

    private <T> T underOwnerLock(Supplier<T> read) {
        Lock lock = owner.get();
        if (lock == null) {
            return read.get(); // no balancer yet, so nothing else writes
        }
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** Collects a peer's configuration; defaults are nginx's. */
    public static final class Builder {
        private final String name;
        private final InetSocketAddress address;
        private int weight = 1;
        private int maxFails = 1;
        private long failTimeoutNanos = Duration.ofSeconds(10).toNanos();
        private int maxConns;
        private boolean backup;
        private boolean down;

        private Builder(String name, InetSocketAddress address) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a peer needs a name such as 127.0.0.1:8081");
            }
            this.name = name;
            this.address = Objects.requireNonNull(address, "address");
        }

        public Builder weight(int weight) {
            if (weight < 1) {
                throw new IllegalArgumentException(name + ": weight must be at least 1, not " + weight);
            }
            this.weight = weight;
            return this;
        }

        /** 0 turns passive health checking off. */
        public Builder maxFails(int maxFails) {
            if (maxFails < 0) {
                throw new IllegalArgumentException(name + ": max_fails must not be negative, not " + maxFails);
            }
            this.maxFails = maxFails;
            return this;
        }

        public Builder failTimeout(Duration failTimeout) {
            if (failTimeout.isNegative()) {
                throw new IllegalArgumentException(name + ": fail_timeout must not be negative, not " + failTimeout);
            }
            this.failTimeoutNanos = failTimeout.toNanos();
            return this;
        }

        /** 0 means unlimited. */
        public Builder maxConns(int maxConns) {
            if (maxConns < 0) {
                throw new IllegalArgumentException(name + ": max_conns must not be negative, not " + maxConns);
            }
            this.maxConns = maxConns;
            return this;
        }

        public Builder backup(boolean backup) {
            this.backup = backup;
            return this;
        }

        public Builder down(boolean down) {
            this.down = down;
            return this;
        }

        public Peer build() {
            return new Peer(this);
        }
    }
}
