package vipgate.lb.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network as nginx's allow/deny and set_real_ip_from write it ("10.0.0.0/8", "192.0.2.1",
 * "2001:db8::/32"). An IPv4-mapped IPv6 client address (::ffff:192.0.2.1, a dual-stack socket's) matches the IPv4
 * networks, as in nginx. Immutable.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** Parses an address literal with an optional /prefix; never a DNS lookup. */
    public static Cidr parse(String raw) {
        String s = raw.trim();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        InetAddress parsed = literal(address);
        if (parsed == null) {
            throw new IllegalArgumentException("'" + raw + "' is not an address or network such as 10.0.0.0/8 or 2001:db8::/32");
        }
        byte[] bytes = parsed.getAddress();
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + raw + "': the prefix length must be 0-" + bits);
            }
        }
        // "10.1.2.3/8" means 10.0.0.0/8, as nginx reads it (it warns that the low bits are meaningless)
        return new Cidr(masked(bytes, prefix), prefix, raw.trim());
    }

    /**
     * An IPv4 (four dotted numbers) or IPv6 address literal, or null: never a DNS lookup, and none of the JDK's
     * shorthands ("10.1" for 10.0.0.1) that nginx does not accept.
     */
    static InetAddress literal(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        if (s.indexOf(':') < 0 && (s.chars().filter(c -> c == '.').count() != 3 || !s.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address && network.length == 4 && isV4Mapped(b)) {
            b = Arrays.copyOfRange(b, 12, 16);
        }
        if (b.length != network.length) {
            return false;
        }
        return Arrays.equals(masked(b, prefix), network);
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }

    private static byte[] masked(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            out[i] &= (byte) (0xFF << (8 - keep));
        }
        return out;
    }

    @Override
    public String toString() {
        return text;
    }
}
