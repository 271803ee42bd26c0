package vipgate.vrrp.engine;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import vipgate.netlink.arp.GratuitousArp;
import vipgate.netlink.arp.UnsolicitedNeighbourAdvert;
import vipgate.netlink.raw.PacketSocket;
import vipgate.netlink.route.Link;
import vipgate.netlink.route.RouteNetlink;
import vipgate.vrrp.config.InstanceSpec;
import vipgate.vrrp.config.VipSpec;

/**
 * Puts an instance's virtual addresses on their interfaces and takes them off (rtnetlink), and announces them
 * with gratuitous ARPs / unsolicited neighbour adverts so switches and neighbours learn the new owner at once.
 * Idempotent: adding a present address or removing an absent one is not an error (another process, or a
 * previous run killed with SIGKILL, may have left them).
 */
final class VirtualAddresses {
    private static final Logger LOG = Logger.getLogger(VirtualAddresses.class.getName());

    private final InstanceSpec spec;
    private final RouteNetlink route;
    /** Read by the announcer thread, replaced by the loop thread. */
    private final List<Announcement> announcements = new CopyOnWriteArrayList<>();
    private final Map<Integer, PacketSocket> sockets = new HashMap<>();

    VirtualAddresses(InstanceSpec spec, RouteNetlink route) {
        this.spec = spec;
        this.route = route;
    }

    /** @return how many were missing and added */
    int add() {
        int added = 0;
        for (VipSpec vip : spec.vips()) {
            try {
                Link link = link(vip);
                if (route.addAddressIfAbsent(link.index(), vip.address(), vip.prefixLength(), vip.label().orElse(""))) {
                    added++;
                    LOG.info(() -> spec.name() + ": added " + describe(vip) + " on " + link.name());
                }
            } catch (IOException e) {
                LOG.log(Level.SEVERE, spec.name() + ": cannot add " + describe(vip) + ": " + e.getMessage()
                        + " (check the interface name and that vipgate has CAP_NET_ADMIN)");
            }
        }
        return added;
    }

    void remove() {
        for (VipSpec vip : spec.vips()) {
            try {
                Link link = link(vip);
                if (route.deleteAddressIfPresent(link.index(), vip.address(), vip.prefixLength())) {
                    LOG.info(() -> spec.name() + ": removed " + describe(vip) + " from " + link.name());
                }
            } catch (IOException e) {
                LOG.log(Level.SEVERE, spec.name() + ": cannot remove " + describe(vip) + ": " + e.getMessage());
            }
        }
    }

    /**
     * Resolves each VIP's interface and opens one packet socket per interface now, so that becoming master later
     * sends its announcements at once: no netlink dump, socket setup or class loading on the failover path.
     * Called again (by the engine) when interfaces change.
     */
    void prepareAnnouncements() {
        closeAnnouncements();
        for (VipSpec vip : spec.vips()) {
            try {
                Link link = link(vip);
                PacketSocket socket = sockets.get(link.index());
                if (socket == null) {
                    socket = PacketSocket.open(link.index(), PacketSocket.SEND_ONLY);
                    sockets.put(link.index(), socket);
                }
                byte[] frame = vip.address() instanceof Inet4Address v4 ? GratuitousArp.frame(link.mac(), v4)
                        : UnsolicitedNeighbourAdvert.frame(link.mac(), (Inet6Address) vip.address());
                announcements.add(new Announcement(vip, socket, frame));
            } catch (IOException e) {
                LOG.log(Level.WARNING, spec.name() + ": cannot prepare announcements of " + describe(vip) + ": " + e.getMessage());
            }
        }
    }

    private record Announcement(VipSpec vip, PacketSocket socket, byte[] frame) {
    }

    /** One burst: {@code count} announcements per address, {@code intervalMillis} apart. */
    void announce(int count, long intervalMillis) {
        List<Announcement> ready = List.copyOf(announcements);
        for (int i = 0; i < count; i++) {
            if (i > 0 && intervalMillis > 0) {
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            for (Announcement a : ready) {
                try {
                    a.socket().send(a.frame());
                } catch (IOException e) {
                    LOG.log(Level.WARNING, spec.name() + ": cannot announce " + describe(a.vip()) + ": " + e.getMessage());
                }
            }
        }
    }

    void closeAnnouncements() {
        announcements.clear();
        sockets.values().forEach(PacketSocket::close);
        sockets.clear();
    }

    private Link link(VipSpec vip) throws IOException {
        String name = vip.device().orElse(spec.iface());
        return route.link(name).orElseThrow(() -> new IOException("no interface " + name));
    }

    private static String describe(VipSpec vip) {
        return vip.address().getHostAddress() + "/" + vip.prefixLength() + vip.label().map(l -> " label " + l).orElse("");
    }
}
