package vipgate.ipvs.netlink;

/**
 * Connection-table timeouts in seconds (ipvsadm --set tcp tcpfin udp). In SET_CONFIG a 0 leaves that value
 * unchanged.
 */
public record Timeouts(int tcp, int tcpFin, int udp) {
    public Timeouts {
        if (tcp < 0 || tcpFin < 0 || udp < 0) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }
}
