package vipgate.ipvs.netlink;

/**
 * How packets reach a real server (DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_*), with ipvsadm's column names. The
 * kernel reports LOCAL by itself for a real server that is an address of the director.
 */
public enum Forwarding {
    /** NAT: the director rewrites the destination and must be the real servers' gateway (keepalived lb_kind NAT). */
    MASQ(0, "Masq"),
    LOCAL(1, "Local"),
    /** IP-in-IP / GUE / GRE to the real server, which holds the VIP (keepalived lb_kind TUN). */
    TUNNEL(2, "Tunnel"),
    /** Direct routing: the frame goes to the real server's MAC unchanged; it holds the VIP on lo (lb_kind DR). */
    DIRECT_ROUTE(3, "Route");

    private final int code;
    private final String ipvsadmName;

    Forwarding(int code, String ipvsadmName) {
        this.code = code;
        this.ipvsadmName = ipvsadmName;
    }

    public int code() {
        return code;
    }

    /** The Forward column of {@code ipvsadm -Ln}. */
    public String ipvsadmName() {
        return ipvsadmName;
    }

    public static Forwarding fromCode(int code) {
        return Codes.byCode(values(), Forwarding::code, code,
                "forwarding method %d is not one of masq 0, local 1, tunnel 2, route 3");
    }
}
