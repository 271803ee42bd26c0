package vipgate.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * nginx's consistent hash ring ({@code ngx_http_upstream_init_chash}), compatible with
 * Cache::Memcached::Fast: 160 points per unit of weight, the n-th point of a server being
 * {@code crc32(HOST \0 PORT PREV)} where PREV is the previous point's hash in little-endian bytes (zero for
 * the first). Immutable.
 */
final class HashRing {

    private static final int POINTS_PER_WEIGHT = 160;

    /** Point hashes, unsigned 32-bit values in ascending order, no two equal. */
    private final long[] hashes;
    /** The server name each point belongs to. */
    private final String[] servers;

    private HashRing(long[] hashes, String[] servers) {
        this.hashes = hashes;
        this.servers = servers;
    }

    static HashRing of(List<Peer> peers) {
        int total = Math.toIntExact(peers.stream().mapToLong(p -> (long) p.weight() * POINTS_PER_WEIGHT).sum());
        // Each point as (hash << 31 | creation order): sorting the longs orders by hash, and on a collision
        // keeps the first created point first, where nginx's qsort leaves the order open.
        long[] points = new long[total];
        String[] creators = new String[total];
        int created = 0;
        CRC32 crc = new CRC32();
        for (Peer peer : peers) {
            byte[] hostAndPort = hostNulPort(peer.name());
            byte[] previous = new byte[4];
            for (int j = 0; j < peer.weight() * POINTS_PER_WEIGHT; j++) {
                crc.reset();
                crc.update(hostAndPort);
                crc.update(previous);
                long hash = crc.getValue();
                littleEndian(hash, previous);
                creators[created] = peer.name();
                points[created] = hash << 31 | created;
                created++;
            }
        }
        Arrays.sort(points);
        long[] hashes = new long[total];
        String[] servers = new String[total];
        int unique = 0;
        for (long point : points) {
            long hash = point >>> 31;
            if (unique == 0 || hashes[unique - 1] != hash) {
                hashes[unique] = hash;
                servers[unique] = creators[(int) (point & Integer.MAX_VALUE)];
                unique++;
            }
        }
        return new HashRing(Arrays.copyOf(hashes, unique), Arrays.copyOf(servers, unique));
    }

    /** The key's position on the ring: the first point whose hash is not below crc32(key); may be size(). */
    long positionOf(byte[] key) {
        CRC32 crc = new CRC32();
        crc.update(key);
        int found = Arrays.binarySearch(hashes, crc.getValue());
        return found >= 0 ? found : -found - 1;
    }

    /** The server at a position, wrapping past the last point to the first. */
    String serverAt(long position) {
        return servers[(int) (position % servers.length)];
    }

    int size() {
        return hashes.length;
    }

    /**
     * crc32 input for a server name: nginx splits the name at a trailing {@code :digits} into host and port
     * ({@code [::1]:80} gives {@code [::1]} and {@code 80}); {@code unix:PATH} and names without a port hash
     * as a host with an empty port.
     */
    static byte[] hostNulPort(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        if (name.regionMatches(true, 0, "unix:", 0, 5)) {
            return joinWithNul(Arrays.copyOfRange(s, 5, s.length), new byte[0]);
        }
        int colon = s.length - 1;
        while (colon >= 0 && s[colon] >= '0' && s[colon] <= '9') {
            colon--;
        }
        if (colon < 0 || s[colon] != ':') {
            return joinWithNul(s, new byte[0]);
        }
        return joinWithNul(Arrays.copyOfRange(s, 0, colon), Arrays.copyOfRange(s, colon + 1, s.length));
    }

    private static byte[] joinWithNul(byte[] host, byte[] port) {
        byte[] joined = new byte[host.length + 1 + port.length];
        System.arraycopy(host, 0, joined, 0, host.length);
        System.arraycopy(port, 0, joined, host.length + 1, port.length);
        return joined;
    }

    private static void littleEndian(long value, byte[] into) {
        for (int i = 0; i < 4; i++) {
            into[i] = (byte) (value >>> (8 * i));
        }
    }
}
