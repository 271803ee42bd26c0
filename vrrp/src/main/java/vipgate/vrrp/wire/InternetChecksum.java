package vipgate.vrrp.wire;

/** RFC 1071 one's-complement sum, fed piece by piece so a pseudo-header needs no copy of the message. */
final class InternetChecksum {
    private long sum;
    /** A piece of odd length leaves its last byte waiting for the first byte of the next piece. */
    private int pendingHigh = -1;

    InternetChecksum add(byte[] data, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            int b = data[i] & 0xFF;
            if (pendingHigh < 0) {
                pendingHigh = b;
            } else {
                sum += (pendingHigh << 8) | b;
                pendingHigh = -1;
            }
        }
        return this;
    }

    InternetChecksum add(byte[] data) {
        return add(data, 0, data.length);
    }

    /** The checksum field value: the complement of the folded sum. */
    int finish() {
        long s = sum + (pendingHigh >= 0 ? pendingHigh << 8 : 0);
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }
}
