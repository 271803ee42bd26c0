package vipgate.netlink.checksum;

/**
 * The Internet checksum (RFC 1071): one's complement of the one's-complement sum of 16-bit big-endian words.
 * Used for ICMPv6 here and for VRRP advertisements by the vrrp engine. Accumulate pseudo-header and message
 * with {@link #add}, then take {@link #value}. A received message whose checksum field is included verifies
 * when {@link #value} is 0.
 */
public final class InternetChecksum {
    private long sum;
    private boolean oddPending;

    /** Adds {@code data[offset, offset+length)}; an odd-length chunk's last byte pairs with the next chunk's first. */
    public InternetChecksum add(byte[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            int b = data[i] & 0xff;
            sum += oddPending ? b : b << 8;
            oddPending = !oddPending;
        }
        return this;
    }

    public InternetChecksum add(byte[] data) {
        return add(data, 0, data.length);
    }

    /** The checksum to store in the message (a trailing odd byte is padded with zero). */
    public int value() {
        long folded = sum;
        while ((folded >>> 16) != 0) {
            folded = (folded & 0xffff) + (folded >>> 16);
        }
        return (int) (~folded & 0xffff);
    }

    /** The checksum of {@code data} alone. */
    public static int of(byte[] data, int offset, int length) {
        return new InternetChecksum().add(data, offset, length).value();
    }
}
