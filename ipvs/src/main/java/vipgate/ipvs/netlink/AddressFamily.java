package vipgate.ipvs.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;

/** The address families IPVS serves, with their Linux AF_* numbers as they travel in SVC_ATTR_AF / DEST_ATTR_ADDR_FAMILY. */
public enum AddressFamily {
    INET(2, 4),
    INET6(10, 16);

    private final int code;
    private final int addressLength;

    AddressFamily(int code, int addressLength) {
        this.code = code;
        this.addressLength = addressLength;
    }

    public int code() {
        return code;
    }

    /** 4 or 16: the bytes of an address of this family (on the wire it is always padded to 16). */
    public int addressLength() {
        return addressLength;
    }

    public static AddressFamily of(InetAddress address) {
        return address instanceof Inet4Address ? INET : INET6;
    }

    public static AddressFamily fromCode(int code) {
        return Codes.byCode(values(), AddressFamily::code, code,
                "address family %d is neither AF_INET (2) nor AF_INET6 (10)");
    }
}
