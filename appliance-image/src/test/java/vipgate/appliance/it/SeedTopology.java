package vipgate.appliance.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vipgate.testkit.Await;
import vipgate.testkit.NetNs;
import vipgate.testkit.NginxWebNode;

/**
 * The seed articles' four-server topology on one bridged segment of network namespaces: boxes a and b (where the
 * appliance runs), web nodes w1 and w2 (real nginx answering "HTTP WEB NODE 01/02" on port 80) and a client that
 * only ever talks to the VIP; with the NIC name and addresses the test chooses (the articles' own, for imported
 * configs). {@code ip addr} in a box is the oracle of who holds the VIP.
 */
final class SeedTopology implements AutoCloseable {
    static final Duration CONVERGE = Duration.ofSeconds(20);

    final NetNs a;
    final NetNs b;
    final NetNs client;
    final NginxWebNode web1;
    final NginxWebNode web2;
    private final String nicA;
    private final String nicB;
    private final String vip;
    /** Newest first: web nodes stop before their namespaces go. */
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    /** @param addresses of a, b, w1, w2 and the client, in that order, on a /24 */
    SeedTopology(String nic, String vip, String... addresses) {
        this(nic, nic, vip, addresses);
    }

    /** With box a's NIC called {@code nicA} and box b's {@code nicB} (seed 003's boxes differ); the others get {@code nicA}. */
    static SeedTopology withNics(String nicA, String nicB, String vip, String... addresses) {
        return new SeedTopology(nicA, nicB, vip, addresses);
    }

    private SeedTopology(String nicA, String nicB, String vip, String[] addresses) {
        this.nicA = nicA;
        this.nicB = nicB;
        this.vip = vip;
        NetNs[] ns = new NetNs[addresses.length];
        NginxWebNode[] web = new NginxWebNode[2];
        try {
            NetNs sw = create();
            String[] ports = new String[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                ns[i] = create();
                ports[i] = "p" + (i + 1);
                String nic = i == 1 ? nicB : nicA;
                NetNs.veth(ns[i], nic, sw, ports[i]);
                ns[i].ip("addr", "add", addresses[i] + "/24", "dev", nic);
            }
            sw.bridge("br0", ports);
            web[0] = started(NginxWebNode.builder().inNamespace(ns[2], addresses[2]).port(80).body("HTTP WEB NODE 01\n").echoHeaders());
            web[1] = started(NginxWebNode.builder().inNamespace(ns[3], addresses[3]).port(80).body("HTTP WEB NODE 02\n").echoHeaders());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        a = ns[0];
        b = ns[1];
        client = ns[4];
        web1 = web[0];
        web2 = web[1];
    }

    private NetNs create() {
        NetNs ns = NetNs.create();
        cleanup.add(0, ns);
        return ns;
    }

    private NginxWebNode started(NginxWebNode.Builder builder) {
        NginxWebNode node = builder.start();
        cleanup.add(0, node);
        return node;
    }

    /** The body answered through the VIP, empty when nothing answers within 2 s. */
    Optional<String> curlVip() {
        return curl("http://" + vip + "/");
    }

    /**
     * What a web node saw of a request through the VIP to /headers, as {@code X-Real-IP|X-Forwarded-For|Host|Connection};
     * empty when nothing answers within 2 s.
     */
    Optional<String> headersThroughVip(String host) {
        return curl("-H", "Host: " + host, "http://" + vip + "/headers");
    }

    private Optional<String> curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-f", "-m", "2"));
        command.addAll(List.of(args));
        try {
            return Optional.of(client.exec(command.toArray(String[]::new)).strip());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    void awaitServed() {
        assertThat(Await.until(CONVERGE, () -> curlVip().isPresent())).as("the VIP answers").isTrue();
    }

    boolean vipOn(NetNs box) {
        return box.ip("-4", "addr", "show", "dev", nic(box)).contains(" " + vip + "/");
    }

    void awaitVipOn(NetNs box) {
        assertThat(Await.until(CONVERGE, () -> vipOn(box))).as("VIP on %s: %s", box.name(), box.ip("-4", "addr", "show", "dev", nic(box)))
                .isTrue();
    }

    private String nic(NetNs box) {
        return box == b ? nicB : nicA;
    }

    @Override
    public void close() {
        vipgate.testkit.Cleanup.close(cleanup.toArray(AutoCloseable[]::new));
    }
}
