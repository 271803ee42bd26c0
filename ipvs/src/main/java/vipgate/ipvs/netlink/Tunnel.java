package vipgate.ipvs.netlink;

import java.util.Objects;

/**
 * Tunnel encapsulation of a TUNNEL real server (kernel 5.3+: DEST_ATTR_TUN_TYPE / TUN_PORT / TUN_FLAGS).
 *
 * @param port the GUE UDP port; 0 for ipip and gre
 */
public record Tunnel(Type type, int port, Checksum checksum) {
    /** Plain IP-in-IP, the only kind before kernel 5.3 and the kernel's value when nothing is set. */
    public static final Tunnel IPIP = new Tunnel(Type.IPIP, 0, Checksum.NOCSUM);

    /** IP_VS_CONN_F_TUNNEL_TYPE_*, with ipvsadm's names. */
    public enum Type {
        IPIP(0, "ipip"), GUE(1, "gue"), GRE(2, "gre");

        private final int code;
        private final String word;

        Type(int code, String word) {
            this.code = code;
            this.word = word;
        }

        public int code() {
            return code;
        }

        public String word() {
            return word;
        }

        public static Type fromCode(int code) {
            return Codes.byCode(values(), Type::code, code,"tunnel type %d is not one of ipip 0, gue 1, gre 2");
        }
    }

    /** IP_VS_TUNNEL_ENCAP_FLAG_*: outer checksum handling for gue and gre. */
    public enum Checksum {
        NOCSUM(0, "nocsum"), CSUM(1, "csum"), REMCSUM(2, "remcsum");

        private final int code;
        private final String word;

        Checksum(int code, String word) {
            this.code = code;
            this.word = word;
        }

        public int code() {
            return code;
        }

        public String word() {
            return word;
        }

        public static Checksum fromCode(int code) {
            return Codes.byCode(values(), Checksum::code, code,
                    "tunnel flags %d are not one of nocsum 0, csum 1, remcsum 2");
        }
    }

    public Tunnel {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(checksum, "checksum");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("tunnel port must be 0..65535, got " + port);
        }
        if (type == Type.GUE && port == 0) {
            throw new IllegalArgumentException("a gue tunnel needs its UDP port");
        }
    }
}
