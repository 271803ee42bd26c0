package vipgate.ipvs.netlink;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Addresses as IPVS carries them (union nf_inet_addr: 16 bytes) and as ipvsadm prints them (inet_ntop). */
public final class Addresses {
    /** sizeof(union nf_inet_addr): keepalived and ipvsadm always send all 16 bytes, IPv4 in the first 4. */
    static final int WIRE_LENGTH = 16;

    private Addresses() {
    }

    static byte[] toWire(InetAddress address) {
        return Arrays.copyOf(address.getAddress(), WIRE_LENGTH);
    }

    /**
     * The address in the first bytes of {@code value}. IPv6 stays IPv6 even when it is IPv4-mapped (plain
     * {@code InetAddress.getByAddress} would turn {@code ::ffff:10.0.0.1} into an IPv4 address).
     */
    static InetAddress fromWire(byte[] value, AddressFamily family) {
        if (value.length < family.addressLength()) {
            throw new IllegalArgumentException("address attribute of " + value.length + " bytes, need "
                    + family.addressLength() + " for " + family);
        }
        try {
            byte[] raw = Arrays.copyOf(value, family.addressLength());
            return family == AddressFamily.INET ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // only for a wrong length, excluded above
        }
    }

    /** {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}, as ipvsadm -n prints a service or real server. */
    public static String withPort(InetAddress address, int port) {
        return address instanceof Inet4Address ? format(address) + ":" + port : "[" + format(address) + "]:" + port;
    }

    /**
     * The address as glibc's inet_ntop writes it: IPv6 with the longest run (two groups or more) of zero
     * groups shortened to {@code ::}, the first run on a tie, and {@code ::ffff:a.b.c.d} / {@code ::a.b.c.d} for
     * IPv4-mapped and -compatible addresses. Java's own getHostAddress never shortens.
     */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && words[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestBase = start;
                bestLength = i - start;
            }
        }
        if (bestLength < 2) {
            bestBase = -1;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLength) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i > 0) {
                out.append(':');
            }
            // the IPv4 tail of ::a.b.c.d and ::ffff:a.b.c.d
            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff))) {
                out.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.').append(b[14] & 0xff).append('.')
                        .append(b[15] & 0xff);
                return out.toString();
            }
            out.append(Integer.toHexString(words[i]));
        }
        if (bestBase >= 0 && bestBase + bestLength == 8) {
            out.append(':');
        }
        return out.toString();
    }
}
