package vipgate.ipvs.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One IPVS virtual service as NEW/SET_SERVICE write it and GET_SERVICE reads it back.
 *
 * @param scheduler the scheduler module's name without its {@code ip_vs_} prefix: rr, wrr, lc, wlc, sh, mh...
 * @param flags the user-settable {@code IP_VS_SVC_F_*} flags ({@link #PERSISTENT}, {@link #ONE_PACKET},
 *        {@link #SCHED1}..{@link #SCHED3}); the kernel's own HASHED bit is never part of it
 * @param timeout persistence timeout in seconds (0 without {@link #PERSISTENT})
 * @param netmask persistence granularity: for IPv4 the mask itself as a 32-bit number (0xffffffff = one
 *        client address, 0xffffff00 = its /24), for IPv6 a prefix length (128 = one client address)
 * @param persistenceEngine a persistence engine such as {@code sip}, empty for none
 */
public record Service(ServiceKey key, String scheduler, int flags, int timeout, int netmask, String persistenceEngine) {
    public static final int PERSISTENT = 0x1;
    /** Kernel bookkeeping (the service is in the lookup table); reported by dumps, meaningless to set. */
    static final int HASHED = 0x2;
    public static final int ONE_PACKET = 0x4;
    public static final int SCHED1 = 0x8;
    public static final int SCHED2 = 0x10;
    public static final int SCHED3 = 0x20;
    /** sh / mh: fall back to another server when the hashed one is unavailable (ipvsadm sh-fallback, mh-fallback). */
    public static final int SCHED_FALLBACK = SCHED1;
    /** sh / mh: hash the source port too (ipvsadm sh-port, mh-port). */
    public static final int SCHED_PORT = SCHED2;
    static final int USER_FLAGS = PERSISTENT | ONE_PACKET | SCHED1 | SCHED2 | SCHED3;
    /** IP_VS_SCHEDNAME_MAXLEN and IP_VS_PENAME_MAXLEN include the NUL. */
    static final int NAME_MAX_BYTES = 15;
    /** keepalived's persistence_timeout when persistence is asked for without a value. */
    public static final int DEFAULT_PERSISTENCE_SECONDS = 360;

    public Service {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(persistenceEngine, "persistenceEngine");
        requireName(scheduler, "scheduler", false);
        requireName(persistenceEngine, "persistence engine", true);
        if ((flags & ~USER_FLAGS) != 0) {
            throw new IllegalArgumentException("service flags 0x" + Integer.toHexString(flags) + " outside 0x"
                    + Integer.toHexString(USER_FLAGS));
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("persistence timeout must not be negative, got " + timeout);
        }
        if (key.family() == AddressFamily.INET6 && (netmask < 1 || netmask > 128)) {
            throw new IllegalArgumentException("IPv6 persistence netmask is a prefix length 1..128, got " + netmask);
        }
    }

    /** A service without persistence or flags: what {@code ipvsadm -A -t ADDR:PORT -s SCHED} creates. */
    public static Service of(ServiceKey key, String scheduler) {
        return new Service(key, scheduler, 0, 0, fullNetmask(key.family()), "");
    }

    /** The granularity of one client address: 255.255.255.255 for IPv4, /128 for IPv6. */
    public static int fullNetmask(AddressFamily family) {
        return family == AddressFamily.INET ? 0xffffffff : 128;
    }

    /** Persistence for {@code seconds} with {@code netmask} granularity; sets {@link #PERSISTENT}, as keepalived does. */
    public Service withPersistence(int seconds, int netmask) {
        if (seconds <= 0) {
            throw new IllegalArgumentException("persistence needs a timeout of at least 1 s, got " + seconds);
        }
        return new Service(key, scheduler, flags | PERSISTENT, seconds, netmask, persistenceEngine);
    }

    public Service withFlags(int newFlags) {
        return new Service(key, scheduler, newFlags, timeout, netmask, persistenceEngine);
    }

    public boolean persistent() {
        return (flags & PERSISTENT) != 0;
    }

    private static void requireName(String name, String what, boolean mayBeEmpty) {
        if (name.isEmpty() && !mayBeEmpty) {
            throw new IllegalArgumentException(what + " name must not be empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX_BYTES) {
            throw new IllegalArgumentException(what + " name '" + name + "' is longer than " + NAME_MAX_BYTES + " bytes");
        }
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
