package vipgate.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Test oracle: nginx 1.24's peer selection transcribed statement by statement from
 * {@code ngx_http_upstream_round_robin.c}, {@code ngx_http_upstream_least_conn_module.c},
 * {@code ngx_http_upstream_hash_module.c} (consistent variant) and {@code ngx_http_upstream_random_module.c}
 * ({@code two}), keeping nginx's names and control flow so the two read side by side. Deliberately not
 * idiomatic Java, and sharing no code with the production balancers (it even has its own CRC32).
 *
 * <p>Plumbing only differs: {@code ngx_time()} is the test clock, {@code ngx_random() % n} is
 * {@code random.nextLong(n)}, locks are left out (single-threaded), SSL and logging are dropped, each server
 * has one address, a peer connection is reduced to its tries and chosen peer, and {@code down} is set by the
 * test when it also stands for a failed active health check.
 */
final class NginxOracle {

    static final int NGX_OK = 0;
    static final int NGX_BUSY = -3;
    static final int NGX_PEER_FAILED = 4;

    private static final int UINTPTR_BITS = 64; // 8 * sizeof(uintptr_t)

    /** ngx_http_upstream_server_t with naddrs = 1. */
    record Server(String name, int weight, int max_fails, long fail_timeout, int max_conns, boolean backup,
            boolean down) {
    }

    /** ngx_http_upstream_rr_peer_t. */
    static final class RrPeer {
        String name;
        String server;
        long current_weight;
        long effective_weight;
        long weight;
        long conns;
        long max_conns;
        long fails;
        long accessed;
        long checked;
        long max_fails;
        long fail_timeout;
        boolean down;
        RrPeer next;
    }

    /** ngx_http_upstream_rr_peers_t. */
    static final class RrPeers {
        int number;
        long total_weight;
        int tries;
        boolean single;
        boolean weighted;
        RrPeers next;
        RrPeer peer;
    }

    /** ngx_http_upstream_rr_peer_data_t. */
    static final class RrPeerData {
        RrPeers peers;
        RrPeer current;
        long[] tried;
    }

    /** ngx_peer_connection_t, reduced. */
    static final class PeerConnection {
        RrPeer peer; // stands for sockaddr/name
        long tries;
    }

    private final LongSupplier clock;

    NginxOracle(LongSupplier clock) {
        this.clock = clock;
    }

    private long ngx_time() {
        return clock.getAsLong();
    }

    private static long ngx_http_upstream_tries(RrPeers p) {
        return p.tries + (p.next != null ? p.next.tries : 0);
    }

    // ---------------------------------------------------------------- ngx_http_upstream_round_robin.c

    static RrPeers ngx_http_upstream_init_round_robin(List<Server> servers) {
        int i;
        int n;
        long w;
        int t;
        RrPeer tail;
        RrPeers peers;
        RrPeers backup;

        n = 0;
        w = 0;
        t = 0;

        for (i = 0; i < servers.size(); i++) {
            if (servers.get(i).backup()) {
                continue;
            }

            n += 1;
            w += servers.get(i).weight();

            if (!servers.get(i).down()) {
                t += 1;
            }
        }

        if (n == 0) {
            throw new IllegalArgumentException("no servers in upstream");
        }

        peers = new RrPeers();

        peers.single = (n == 1);
        peers.number = n;
        peers.weighted = (w != n);
        peers.total_weight = w;
        peers.tries = t;

        tail = null;

        for (i = 0; i < servers.size(); i++) {
            if (servers.get(i).backup()) {
                continue;
            }

            RrPeer peer = newPeer(servers.get(i));
            if (tail == null) {
                peers.peer = peer;
            } else {
                tail.next = peer;
            }
            tail = peer;
        }

        /* backup servers */

        n = 0;
        w = 0;
        t = 0;

        for (i = 0; i < servers.size(); i++) {
            if (!servers.get(i).backup()) {
                continue;
            }

            n += 1;
            w += servers.get(i).weight();

            if (!servers.get(i).down()) {
                t += 1;
            }
        }

        if (n == 0) {
            return peers;
        }

        backup = new RrPeers();

        peers.single = false;
        backup.single = false;
        backup.number = n;
        backup.weighted = (w != n);
        backup.total_weight = w;
        backup.tries = t;

        tail = null;

        for (i = 0; i < servers.size(); i++) {
            if (!servers.get(i).backup()) {
                continue;
            }

            RrPeer peer = newPeer(servers.get(i));
            if (tail == null) {
                backup.peer = peer;
            } else {
                tail.next = peer;
            }
            tail = peer;
        }

        peers.next = backup;

        return peers;
    }

    private static RrPeer newPeer(Server server) {
        RrPeer peer = new RrPeer();
        peer.name = server.name();
        peer.weight = server.weight();
        peer.effective_weight = server.weight();
        peer.current_weight = 0;
        peer.max_conns = server.max_conns();
        peer.max_fails = server.max_fails();
        peer.fail_timeout = server.fail_timeout();
        peer.down = server.down();
        peer.server = server.name();
        return peer;
    }

    static void ngx_http_upstream_init_round_robin_peer(PeerConnection pc, RrPeerData rrp, RrPeers us) {
        int n;

        rrp.peers = us;
        rrp.current = null;

        n = rrp.peers.number;

        if (rrp.peers.next != null && rrp.peers.next.number > n) {
            n = rrp.peers.next.number;
        }

        rrp.tried = new long[(n + (UINTPTR_BITS - 1)) / UINTPTR_BITS];

        pc.tries = ngx_http_upstream_tries(rrp.peers);
    }

    int ngx_http_upstream_get_round_robin_peer(PeerConnection pc, RrPeerData rrp) {
        int rc;
        int i;
        int n;
        RrPeer peer;
        RrPeers peers;

        peers = rrp.peers;

        failed:
        {
            if (peers.single) {
                peer = peers.peer;

                if (peer.down) {
                    break failed;
                }

                if (peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                    break failed;
                }

                rrp.current = peer;

            } else {

                /* there are several peers */

                peer = ngx_http_upstream_get_peer(rrp);

                if (peer == null) {
                    break failed;
                }
            }

            pc.peer = peer;

            peer.conns++;

            return NGX_OK;
        }

        // failed:

        if (peers.next != null) {

            rrp.peers = peers.next;

            n = (rrp.peers.number + (UINTPTR_BITS - 1)) / UINTPTR_BITS;

            for (i = 0; i < n; i++) {
                rrp.tried[i] = 0;
            }

            rc = ngx_http_upstream_get_round_robin_peer(pc, rrp);

            if (rc != NGX_BUSY) {
                return rc;
            }
        }

        pc.peer = null;

        return NGX_BUSY;
    }

    private RrPeer ngx_http_upstream_get_peer(RrPeerData rrp) {
        long now;
        long m;
        long total;
        int i;
        int n;
        int p;
        RrPeer peer;
        RrPeer best;

        now = ngx_time();

        best = null;
        total = 0;

        p = 0;

        for (peer = rrp.peers.peer, i = 0;
             peer != null;
             peer = peer.next, i++)
        {
            n = i / UINTPTR_BITS;
            m = 1L << i % UINTPTR_BITS;

            if ((rrp.tried[n] & m) != 0) {
                continue;
            }

            if (peer.down) {
                continue;
            }

            if (peer.max_fails != 0
                && peer.fails >= peer.max_fails
                && now - peer.checked <= peer.fail_timeout)
            {
                continue;
            }

            if (peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                continue;
            }

            peer.current_weight += peer.effective_weight;
            total += peer.effective_weight;

            if (peer.effective_weight < peer.weight) {
                peer.effective_weight++;
            }

            if (best == null || peer.current_weight > best.current_weight) {
                best = peer;
                p = i;
            }
        }

        if (best == null) {
            return null;
        }

        rrp.current = best;

        n = p / UINTPTR_BITS;
        m = 1L << p % UINTPTR_BITS;

        rrp.tried[n] |= m;

        best.current_weight -= total;

        if (now - best.checked > best.fail_timeout) {
            best.checked = now;
        }

        return best;
    }

    void ngx_http_upstream_free_round_robin_peer(PeerConnection pc, RrPeerData rrp, int state) {
        long now;
        RrPeer peer;

        peer = rrp.current;

        if (rrp.peers.single) {

            peer.conns--;

            pc.tries = 0;
            return;
        }

        if ((state & NGX_PEER_FAILED) != 0) {
            now = ngx_time();

            peer.fails++;
            peer.accessed = now;
            peer.checked = now;

            if (peer.max_fails != 0) {
                peer.effective_weight -= peer.weight / peer.max_fails;
            }

            if (peer.effective_weight < 0) {
                peer.effective_weight = 0;
            }

        } else {

            /* mark peer live if check passed */

            if (peer.accessed < peer.checked) {
                peer.fails = 0;
            }
        }

        peer.conns--;

        if (pc.tries != 0) {
            pc.tries--;
        }
    }

    // ---------------------------------------------------------------- ngx_http_upstream_least_conn_module.c

    int ngx_http_upstream_get_least_conn_peer(PeerConnection pc, RrPeerData rrp) {
        long now;
        long m;
        int rc;
        long total;
        int i;
        int n;
        int p;
        boolean many;
        RrPeer peer;
        RrPeer best;
        RrPeers peers;

        if (rrp.peers.single) {
            return ngx_http_upstream_get_round_robin_peer(pc, rrp);
        }

        now = ngx_time();

        peers = rrp.peers;

        best = null;
        total = 0;

        many = false;
        p = 0;

        failed:
        {
            for (peer = peers.peer, i = 0;
                 peer != null;
                 peer = peer.next, i++)
            {
                n = i / UINTPTR_BITS;
                m = 1L << i % UINTPTR_BITS;

                if ((rrp.tried[n] & m) != 0) {
                    continue;
                }

                if (peer.down) {
                    continue;
                }

                if (peer.max_fails != 0
                    && peer.fails >= peer.max_fails
                    && now - peer.checked <= peer.fail_timeout)
                {
                    continue;
                }

                if (peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                    continue;
                }

                /*
                 * select peer with least number of connections; if there are
                 * multiple peers with the same number of connections, select
                 * based on round-robin
                 */

                if (best == null
                    || peer.conns * best.weight < best.conns * peer.weight)
                {
                    best = peer;
                    many = false;
                    p = i;

                } else if (peer.conns * best.weight == best.conns * peer.weight) {
                    many = true;
                }
            }

            if (best == null) {
                break failed;
            }

            if (many) {

                for (peer = best, i = p;
                     peer != null;
                     peer = peer.next, i++)
                {
                    n = i / UINTPTR_BITS;
                    m = 1L << i % UINTPTR_BITS;

                    if ((rrp.tried[n] & m) != 0) {
                        continue;
                    }

                    if (peer.down) {
                        continue;
                    }

                    if (peer.conns * best.weight != best.conns * peer.weight) {
                        continue;
                    }

                    if (peer.max_fails != 0
                        && peer.fails >= peer.max_fails
                        && now - peer.checked <= peer.fail_timeout)
                    {
                        continue;
                    }

                    if (peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                        continue;
                    }

                    peer.current_weight += peer.effective_weight;
                    total += peer.effective_weight;

                    if (peer.effective_weight < peer.weight) {
                        peer.effective_weight++;
                    }

                    if (peer.current_weight > best.current_weight) {
                        best = peer;
                        p = i;
                    }
                }
            }

            best.current_weight -= total;

            if (now - best.checked > best.fail_timeout) {
                best.checked = now;
            }

            pc.peer = best;

            best.conns++;

            rrp.current = best;

            n = p / UINTPTR_BITS;
            m = 1L << p % UINTPTR_BITS;

            rrp.tried[n] |= m;

            return NGX_OK;
        }

        // failed:

        if (peers.next != null) {

            rrp.peers = peers.next;

            n = (rrp.peers.number + (UINTPTR_BITS - 1)) / UINTPTR_BITS;

            for (i = 0; i < n; i++) {
                rrp.tried[i] = 0;
            }

            rc = ngx_http_upstream_get_least_conn_peer(pc, rrp);

            if (rc != NGX_BUSY) {
                return rc;
            }
        }

        pc.peer = null;

        return NGX_BUSY;
    }

    // ---------------------------------------------------------------- ngx_http_upstream_hash_module.c

    /** ngx_http_upstream_chash_point_t. */
    record ChashPoint(long hash, String server) {
    }

    /** ngx_http_upstream_chash_points_t. */
    static final class ChashPoints {
        int number;
        ChashPoint[] point;
    }

    /** ngx_http_upstream_hash_peer_data_t. */
    static final class HashPeerData {
        final RrPeerData rrp = new RrPeerData();
        ChashPoints points; // hp->conf->points
        byte[] key;
        long tries;
        long hash;
    }

    static ChashPoints ngx_http_upstream_init_chash(RrPeers peers) {
        byte[] host;
        byte[] port;
        byte c;
        int host_len;
        int port_len;
        long hash;
        long base_hash;
        byte[] server;
        int npoints;
        int i;
        int j;
        RrPeer peer;
        ChashPoints points;
        byte[] prev_hash = new byte[4];

        npoints = (int) (peers.total_weight * 160);

        points = new ChashPoints();
        points.point = new ChashPoint[npoints];
        points.number = 0;

        for (peer = peers.peer; peer != null; peer = peer.next) {
            server = peer.server.getBytes(StandardCharsets.UTF_8);

            /*
             * Hash expression is compatible with Cache::Memcached::Fast:
             * crc32(HOST \0 PORT PREV_HASH).
             */

            done:
            {
                if (server.length >= 5
                    && new String(server, 0, 5, StandardCharsets.ISO_8859_1).equalsIgnoreCase("unix:"))
                {
                    host = Arrays.copyOfRange(server, 5, server.length);
                    host_len = server.length - 5;
                    port = null;
                    port_len = 0;
                    break done;
                }

                for (j = 0; j < server.length; j++) {
                    c = server[server.length - j - 1];

                    if (c == ':') {
                        host = server;
                        host_len = server.length - j - 1;
                        port = Arrays.copyOfRange(server, server.length - j, server.length);
                        port_len = j;
                        break done;
                    }

                    if (c < '0' || c > '9') {
                        break;
                    }
                }

                host = server;
                host_len = server.length;
                port = null;
                port_len = 0;
            }

            // done:

            base_hash = ngx_crc32_init();
            base_hash = ngx_crc32_update(base_hash, host, host_len);
            base_hash = ngx_crc32_update(base_hash, new byte[] {0}, 1);
            base_hash = ngx_crc32_update(base_hash, port, port_len);

            Arrays.fill(prev_hash, (byte) 0);
            npoints = (int) (peer.weight * 160);

            for (j = 0; j < npoints; j++) {
                hash = base_hash;

                hash = ngx_crc32_update(hash, prev_hash, 4);
                hash = ngx_crc32_final(hash);

                points.point[points.number] = new ChashPoint(hash, peer.server);
                points.number++;

                prev_hash[0] = (byte) (hash & 0xff);
                prev_hash[1] = (byte) ((hash >> 8) & 0xff);
                prev_hash[2] = (byte) ((hash >> 16) & 0xff);
                prev_hash[3] = (byte) ((hash >> 24) & 0xff);
            }
        }

        // ngx_qsort; stable here so that hash collisions resolve the same way on every run
        Arrays.sort(points.point, 0, points.number, Comparator.comparingLong(ChashPoint::hash));

        for (i = 0, j = 1; j < points.number; j++) {
            if (points.point[i].hash() != points.point[j].hash()) {
                points.point[++i] = points.point[j];
            }
        }

        points.number = i + 1;

        return points;
    }

    private static int ngx_http_upstream_find_chash_point(ChashPoints points, long hash) {
        int i;
        int j;
        int k;
        ChashPoint[] point;

        /* find first point >= hash */

        point = points.point;

        i = 0;
        j = points.number;

        while (i < j) {
            k = (i + j) / 2;

            if (hash > point[k].hash()) {
                i = k + 1;

            } else if (hash < point[k].hash()) {
                j = k;

            } else {
                return k;
            }
        }

        return i;
    }

    static void ngx_http_upstream_init_chash_peer(PeerConnection pc, HashPeerData hp, RrPeers us,
            ChashPoints points, byte[] key) {
        long hash;

        // ngx_http_upstream_init_hash_peer
        ngx_http_upstream_init_round_robin_peer(pc, hp.rrp, us);
        hp.key = key;
        hp.points = points;
        hp.tries = 0;
        hp.hash = 0;

        hash = ngx_crc32_long(hp.key, hp.key.length);

        hp.hash = ngx_http_upstream_find_chash_point(hp.points, hash);
    }

    int ngx_http_upstream_get_chash_peer(PeerConnection pc, HashPeerData hp) {
        long now;
        long m;
        String server;
        long total;
        int i;
        int n;
        int best_i;
        RrPeer peer;
        RrPeer best;
        ChashPoint[] point;
        ChashPoints points;

        if (hp.tries > 20 || hp.rrp.peers.single || hp.key.length == 0) {
            return ngx_http_upstream_get_round_robin_peer(pc, hp.rrp);
        }

        now = ngx_time();

        points = hp.points;
        point = points.point;

        found:
        {
            for ( ;; ) {
                server = point[(int) (hp.hash % points.number)].server();

                best = null;
                best_i = 0;
                total = 0;

                for (peer = hp.rrp.peers.peer, i = 0;
                     peer != null;
                     peer = peer.next, i++)
                {
                    n = i / UINTPTR_BITS;
                    m = 1L << i % UINTPTR_BITS;

                    if ((hp.rrp.tried[n] & m) != 0) {
                        continue;
                    }

                    if (peer.down) {
                        continue;
                    }

                    if (peer.max_fails != 0
                        && peer.fails >= peer.max_fails
                        && now - peer.checked <= peer.fail_timeout)
                    {
                        continue;
                    }

                    if (peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                        continue;
                    }

                    if (!peer.server.equals(server)) {
                        continue;
                    }

                    peer.current_weight += peer.effective_weight;
                    total += peer.effective_weight;

                    if (peer.effective_weight < peer.weight) {
                        peer.effective_weight++;
                    }

                    if (best == null || peer.current_weight > best.current_weight) {
                        best = peer;
                        best_i = i;
                    }
                }

                if (best != null) {
                    best.current_weight -= total;
                    break found;
                }

                hp.hash++;
                hp.tries++;

                if (hp.tries > 20) {
                    return ngx_http_upstream_get_round_robin_peer(pc, hp.rrp);
                }
            }
        }

        // found:

        hp.rrp.current = best;

        pc.peer = best;

        best.conns++;

        if (now - best.checked > best.fail_timeout) {
            best.checked = now;
        }

        n = best_i / UINTPTR_BITS;
        m = 1L << best_i % UINTPTR_BITS;

        hp.rrp.tried[n] |= m;

        return NGX_OK;
    }

    // ---------------------------------------------------------------- ngx_http_upstream_random_module.c

    /** ngx_http_upstream_random_range_t. */
    record RandomRange(RrPeer peer, long range) {
    }

    /** ngx_http_upstream_random_peer_data_t. */
    static final class RandomPeerData {
        final RrPeerData rrp = new RrPeerData();
        RandomRange[] ranges; // rp->conf->ranges
        long tries;
    }

    static RandomRange[] ngx_http_upstream_update_random(RrPeers peers) {
        int i;
        long total_weight;
        RrPeer peer;
        RandomRange[] ranges;

        ranges = new RandomRange[peers.number];

        total_weight = 0;

        for (peer = peers.peer, i = 0; peer != null; peer = peer.next, i++) {
            ranges[i] = new RandomRange(peer, total_weight);
            total_weight += peer.weight;
        }

        return ranges;
    }

    static void ngx_http_upstream_init_random_peer(PeerConnection pc, RandomPeerData rp, RrPeers us,
            RandomRange[] ranges) {
        ngx_http_upstream_init_round_robin_peer(pc, rp.rrp, us);
        rp.ranges = ranges;
        rp.tries = 0;
    }

    int ngx_http_upstream_get_random2_peer(PeerConnection pc, RandomPeerData rp, RandomGenerator random) {
        long now;
        long m;
        int i;
        int n;
        int p;
        RrPeer peer;
        RrPeer prev;
        RrPeers peers;
        RrPeerData rrp;

        rrp = rp.rrp;
        peers = rrp.peers;

        if (rp.tries > 20 || peers.single) {
            return ngx_http_upstream_get_round_robin_peer(pc, rrp);
        }

        now = ngx_time();

        prev = null;

        p = 0;

        found:
        for ( ;; ) {

            i = ngx_http_upstream_peek_random_peer(peers, rp, random);

            peer = rp.ranges[i].peer();

            next:
            {
                if (peer == prev) {
                    break next;
                }

                n = i / UINTPTR_BITS;
                m = 1L << i % UINTPTR_BITS;

                if ((rrp.tried[n] & m) != 0) {
                    break next;
                }

                if (peer.down) {
                    break next;
                }

                if (peer.max_fails != 0
                    && peer.fails >= peer.max_fails
                    && now - peer.checked <= peer.fail_timeout)
                {
                    break next;
                }

                if (peer.max_conns != 0 && peer.conns >= peer.max_conns) {
                    break next;
                }

                if (prev != null) {
                    if (peer.conns * prev.weight > prev.conns * peer.weight) {
                        peer = prev;
                        n = p / UINTPTR_BITS;
                        m = 1L << p % UINTPTR_BITS;
                    }

                    break found;
                }

                prev = peer;
                p = i;
            }

            // next:

            if (++rp.tries > 20) {
                return ngx_http_upstream_get_round_robin_peer(pc, rrp);
            }
        }

        rrp.current = peer;

        if (now - peer.checked > peer.fail_timeout) {
            peer.checked = now;
        }

        pc.peer = peer;

        peer.conns++;

        rrp.tried[n] |= m;

        return NGX_OK;
    }

    private static int ngx_http_upstream_peek_random_peer(RrPeers peers, RandomPeerData rp,
            RandomGenerator random) {
        int i;
        int j;
        int k;
        long x;

        x = random.nextLong(peers.total_weight);

        i = 0;
        j = peers.number;

        while (j - i > 1) {
            k = (i + j) / 2;

            if (x < rp.ranges[k].range()) {
                j = k;

            } else {
                i = k;
            }
        }

        return i;
    }

    // ---------------------------------------------------------------- ngx_crc32.h / ngx_crc32.c

    private static final long[] ngx_crc32_table256 = new long[256];

    static {
        // the reflected CRC-32 polynomial that ngx_crc32.c tabulates
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? 0xedb88320L ^ (c >>> 1) : c >>> 1;
            }
            ngx_crc32_table256[n] = c;
        }
    }

    private static long ngx_crc32_init() {
        return 0xffffffffL;
    }

    private static long ngx_crc32_update(long crc, byte[] p, int len) {
        for (int i = 0; i < len; i++) {
            crc = ngx_crc32_table256[(int) ((crc ^ p[i]) & 0xff)] ^ (crc >>> 8);
        }
        return crc;
    }

    private static long ngx_crc32_final(long crc) {
        return crc ^ 0xffffffffL;
    }

    private static long ngx_crc32_long(byte[] p, int len) {
        return ngx_crc32_final(ngx_crc32_update(ngx_crc32_init(), p, len));
    }
}
