package vipgate.ipvs.netlink;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A connection synchronisation daemon (ipvsadm --start-daemon): the MASTER multicasts the state of the
 * director's connections, a BACKUP receives it, so established connections survive a VRRP failover.
 *
 * @param syncId 0..255; master and backup must agree, so several director pairs can share a LAN
 * @param maxLength largest sync message, 0 for the kernel's default (from the interface's MTU)
 * @param group multicast group, empty for the default 224.0.0.81
 * @param port UDP port, 0 for the default 8848
 * @param ttl multicast TTL, 0 for the default 1
 */
public record Daemon(State state, String interfaceName, int syncId, int maxLength, Optional<InetAddress> group, int port,
        int ttl) {

    /** IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP; one of each may run at once. */
    public enum State {
        MASTER(1), BACKUP(2);

        private final int code;

        State(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static State fromCode(int code) {
            return Codes.byCode(values(), State::code, code,"sync daemon state %d is neither master 1 nor backup 2");
        }
    }

    /** IP_VS_IFNAME_MAXLEN includes the NUL. */
    static final int IFNAME_MAX_BYTES = 15;

    public Daemon {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(group, "group");
        if (interfaceName.isEmpty() || interfaceName.length() > IFNAME_MAX_BYTES) {
            throw new IllegalArgumentException("sync daemon interface name must have 1.." + IFNAME_MAX_BYTES
                    + " characters, got '" + interfaceName + "'");
        }
        if (syncId < 0 || syncId > 255) {
            throw new IllegalArgumentException("sync id must be 0..255, got " + syncId);
        }
        if (maxLength < 0 || maxLength > 65535 || port < 0 || port > 65535 || ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("sync daemon max length and port must be 0..65535, ttl 0..255");
        }
    }

    /** A daemon with the kernel's defaults for message size, group, port and TTL, as keepalived's lvs_sync_daemon. */
    public static Daemon of(State state, String interfaceName, int syncId) {
        return new Daemon(state, interfaceName, syncId, 0, Optional.empty(), 0, 0);
    }
}
