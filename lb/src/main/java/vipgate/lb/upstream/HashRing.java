package vipgate.lb.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
        List<Point> points = new ArrayList<>();
        for (Peer peer : peers) {
            byte[] hostAndPort = hostNulPort(peer.name());
            byte[] previous = new byte[4];
            CRC32 crc = new CRC32();
            for (int j = 0; j < Math.multiplyExact(peer.weight(), POINTS_PER_WEIGHT); j++) {
                crc.reset();
                crc.update(hostAndPort);
                crc.update(previous);
                long hash = crc.getValue();
                points.add(new Point(hash, peer.name()));
                littleEndian(hash, previous);
            }
        }
        // A stable sort keeps the first server's point on a hash collision; nginx's qsort leaves that open.
        points.sort(Comparator.comparingLong(Point::hash));
        List<Point> unique = new ArrayList<>(points.size());
        for (Point point : points) {
            if (unique.isEmpty() || unique.get(unique.size() - 1).hash() != point.hash()) {
                unique.add(point);
            }
        }
        return new HashRing(
                unique.stream().mapToLong(Point::hash).toArray(),
                unique.stream().map(Point::server).toArray(String[]::new));
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
     * nginx splits the name at a trailing {@code :digits} into host and port; {@code unix:PATH} and names
     * without a port hash as a host with an empty port.
     */
    static byte[] hostNulPort(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        int hostEnd = s.length;
        int portStart = s.length;
        if (name.regionMatches(true, 0, "unix:", 0, 5)) {
            return concat(Arrays.copyOfRange(s, 5, s.length), new byte[0]);
        }
        for (int i = s.length - 1; i >= 0; i--) {
            if (s[i] == ':') {
                hostEnd = i;
                portStart = i + 1;
                break;
            }
            if (s[i] < '0' || s[i] > '9') {
                break;
            }
        }
        return concat(Arrays.copyOfRange(s, 0, hostEnd), Arrays.copyOfRange(s, portStart, s.length));
    }

    private static byte[] concat(byte[] host, byte[] port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(host.length + 1 + port.length);
        out.writeBytes(host);
        out.write(0);
        out.writeBytes(port);
        return out.toByteArray();
    }

    private static void littleEndian(long value, byte[] into) {
        for (int i = 0; i < 4; i++) {
            into[i] = (byte) (value >>> (8 * i));
        }
    }

    private record Point(long hash, String server) {
    }
}
