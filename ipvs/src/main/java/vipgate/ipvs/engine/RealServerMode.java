package vipgate.ipvs.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import vipgate.ipvs.config.RealServerModeSpec;
import vipgate.netlink.route.Link;
import vipgate.netlink.route.RouteNetlink;

/**
 * Makes this box a real server of a DR (or TUN) director: the VIPs on the loopback interface as /32, so the box
 * accepts packets for them, and ARP restricted so it never answers for them (only the director may, or clients
 * would bypass it). What users otherwise do by hand with {@code ip addr add VIP/32 dev lo} and sysctl.
 */
public final class RealServerMode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RealServerMode.class.getName());

    /**
     * net.ipv4.conf.all.*: the kernel takes the maximum of "all" and the interface's value, so these bind every
     * interface. arp_ignore 1: answer ARP only for addresses of the interface the request came in on (not for the
     * VIP on lo); arp_announce 2: never use the VIP as the source of our own ARP requests.
     */
    static final List<String[]> SYSCTLS = List.of(
            new String[] {"net/ipv4/conf/all/arp_ignore", "1"},
            new String[] {"net/ipv4/conf/all/arp_announce", "2"});

    private final RouteNetlink route;
    private final int ifindex;
    private final List<InetAddress> added;

    private RealServerMode(RouteNetlink route, int ifindex, List<InetAddress> added) {
        this.route = route;
        this.ifindex = ifindex;
        this.added = added;
    }

    /**
     * Sets the ARP sysctls first, then adds the VIPs, so there is no moment in which the box answers ARP for them.
     *
     * @param procSys {@code /proc/sys}
     */
    public static RealServerMode apply(RealServerModeSpec spec, Path procSys) throws IOException {
        writeSysctls(procSys);
        RouteNetlink route = RouteNetlink.open();
        try {
            Link link = route.link(spec.interfaceName()).orElseThrow(() -> new IOException("real-server-mode: no interface '"
                    + spec.interfaceName() + "' on this box"));
            List<InetAddress> added = new ArrayList<>();
            for (InetAddress vip : spec.virtualAddresses()) {
                if (route.addAddressIfAbsent(link.index(), vip, 32, "")) {
                    added.add(vip);
                }
            }
            LOG.info(() -> "DR real server for " + spec.virtualAddresses().stream().map(InetAddress::getHostAddress).toList()
                    + " on " + spec.interfaceName()
                    + " (arp_ignore=1, arp_announce=2)");
            return new RealServerMode(route, link.index(), added);
        } catch (IOException | RuntimeException e) {
            route.close();
            throw e;
        }
    }

    /**
     * Writes only what differs: vipgate.service runs as an unprivileged user under ProtectKernelTunables, which
     * cannot write /proc/sys, so on the appliance the values come from /etc/sysctl.d and are only checked here.
     */
    static void writeSysctls(Path procSys) throws IOException {
        for (String[] sysctl : SYSCTLS) {
            Path file = procSys.resolve(sysctl[0]);
            String current = Files.readString(file).strip();
            if (current.equals(sysctl[1])) {
                continue;
            }
            try {
                Files.writeString(file, sysctl[1] + "\n");
            } catch (IOException e) {
                throw new IOException("real-server-mode: cannot set " + sysctl[0].replace('/', '.') + " = " + sysctl[1]
                        + " (it is " + current + "): " + e + "; set it in /etc/sysctl.d (vipgate does not run as root)", e);
            }
        }
    }

    /** Removes the VIPs this instance added (the sysctls stay: they are harmless without the VIPs). */
    @Override
    public void close() {
        for (InetAddress vip : added) {
            try {
                route.deleteAddressIfPresent(ifindex, vip, 32);
            } catch (IOException e) {
                LOG.warning("real-server-mode: cannot remove " + vip.getHostAddress() + ": " + e.getMessage());
            }
        }
        route.close();
    }
}
