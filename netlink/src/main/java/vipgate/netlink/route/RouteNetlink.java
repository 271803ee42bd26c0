package vipgate.netlink.route;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vipgate.netlink.NetlinkException;
import vipgate.netlink.NetlinkSocket;
import vipgate.netlink.libc.Errno;
import vipgate.netlink.message.NetlinkMessage;
import vipgate.netlink.message.NetlinkMessageBuilder;

/**
 * rtnetlink requests: list links and addresses, add and delete addresses (what {@code ip link} / {@code ip addr}
 * do). Works on the network namespace of the thread that called {@link #open}. Thread-safe: calls queue on one
 * socket.
 */
public final class RouteNetlink implements AutoCloseable {
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;

    private final NetlinkSocket socket;

    private RouteNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static RouteNetlink open() throws IOException {
        return new RouteNetlink(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    }

    /** Every interface, in ifindex order. */
    public List<Link> links() throws IOException {
        NetlinkMessage request = new NetlinkMessageBuilder(RTM_GETLINK, 0).familyHeader(Link.ifinfomsg(0)).build();
        List<Link> links = new ArrayList<>();
        for (NetlinkMessage reply : socket.dump(request, "RTM_GETLINK dump")) {
            if (reply.type() == RTM_NEWLINK) {
                links.add(Link.parse(reply));
            }
        }
        return links;
    }

    /** The interface called {@code name}, or empty when there is none. */
    public Optional<Link> link(String name) throws IOException {
        NetlinkMessage request = new NetlinkMessageBuilder(RTM_GETLINK, 0).familyHeader(Link.ifinfomsg(0))
                .string(Link.IFLA_IFNAME, name).build();
        try {
            return socket.request(request, "RTM_GETLINK " + name).stream()
                    .filter(m -> m.type() == RTM_NEWLINK).findFirst().map(Link::parse);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Every IPv4 and IPv6 address on every interface. */
    public List<IfAddress> addresses() throws IOException {
        // ifaddrmsg with family AF_UNSPEC: both families in one dump.
        NetlinkMessage request = new NetlinkMessageBuilder(RTM_GETADDR, 0).familyHeader(new byte[IfAddress.IFADDRMSG_LENGTH])
                .build();
        List<IfAddress> addresses = new ArrayList<>();
        for (NetlinkMessage reply : socket.dump(request, "RTM_GETADDR dump")) {
            if (reply.type() == RTM_NEWADDR) {
                IfAddress.parse(reply).ifPresent(addresses::add);
            }
        }
        return addresses;
    }

    /**
     * Adds {@code address/prefixLength} to interface {@code ifindex}, like {@code ip addr add 10.0.0.5/24 dev eth0
     * label eth0:1}. IPv6 addresses are added with IFA_F_NODAD so a VIP answers at once instead of staying
     * tentative during duplicate address detection.
     *
     * @param label IPv4 only, "" for none (the kernel then uses the interface name); by convention it starts with
     *     the interface name ({@code ip} refuses others, the kernel does not check)
     * @throws NetlinkException EEXIST when the interface already has the address
     */
    public void addAddress(int ifindex, InetAddress address, int prefixLength, String label) throws IOException {
        NetlinkMessage request = IfAddress.request(RTM_NEWADDR,
                NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, ifindex, address, prefixLength, label);
        socket.request(request, "RTM_NEWADDR " + new IfAddress(ifindex, address, prefixLength, label));
    }

    /** {@link #addAddress} that tolerates an existing address: true when it was added, false when it was there. */
    public boolean addAddressIfAbsent(int ifindex, InetAddress address, int prefixLength, String label)
            throws IOException {
        try {
            addAddress(ifindex, address, prefixLength, label);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EEXIST) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Deletes {@code address/prefixLength} from interface {@code ifindex}. Deleting an IPv4 primary address also
     * deletes its secondaries unless {@code net.ipv4.conf.<if>.promote_secondaries} is 1.
     *
     * @throws NetlinkException EADDRNOTAVAIL when the interface has no such address (or with another prefix)
     */
    public void deleteAddress(int ifindex, InetAddress address, int prefixLength) throws IOException {
        NetlinkMessage request = IfAddress.request(RTM_DELADDR, 0, ifindex, address, prefixLength, "");
        socket.request(request, "RTM_DELADDR " + new IfAddress(ifindex, address, prefixLength, ""));
    }

    /** {@link #deleteAddress} that tolerates a missing address: true when it was deleted, false when absent. */
    public boolean deleteAddressIfPresent(int ifindex, InetAddress address, int prefixLength) throws IOException {
        try {
            deleteAddress(ifindex, address, prefixLength);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EADDRNOTAVAIL) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
