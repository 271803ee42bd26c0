package vipgate.vrrp.wire;

/** VRRPv2 authentication type, byte 4 of a v2 header. v3 has no authentication. */
public enum AuthType {
    NONE(0),
    /** Clear-text password, zero-padded or truncated to 8 bytes (keepalived auth_type PASS). */
    PASS(1),
    /** IPsec AH; only ever decoded, to be refused: keepalived 2.x dropped it too. */
    AH(2);

    private final int code;

    AuthType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a wire code, or null for codes no RFC defines. */
    static AuthType ofCode(int code) {
        for (AuthType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
