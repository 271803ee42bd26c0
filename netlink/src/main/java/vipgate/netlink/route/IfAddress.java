package vipgate.netlink.route;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.Attributes;
import vipgate.netlink.message.NetlinkMessage;
import vipgate.netlink.message.NetlinkMessageBuilder;

/**
 * An address on an interface.
 *
 * @param label the IPv4 label ({@code eth0:1} in {@code ip addr add ... label eth0:1}; the interface name when
 *     none was given); always "" for IPv6, which has no labels
 */
public record IfAddress(int ifindex, InetAddress address, int prefixLength, String label) {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int IFADDRMSG_LENGTH = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    /** IPv6: skip duplicate address detection so the address is usable at once, not "tentative" for ~1 s. */
    static final int IFA_F_NODAD = 0x02;

    /** {@code 10.0.0.5/24 on ifindex 3 label eth0:1}. */
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + " on ifindex " + ifindex
                + (label.isEmpty() ? "" : " label " + label);
    }

    /**
     * Parses an RTM_NEWADDR / RTM_DELADDR message (ifaddrmsg: u8 family, u8 prefixlen, u8 flags, u8 scope, u32
     * index); empty for families other than IPv4/IPv6.
     */
    static Optional<IfAddress> parse(NetlinkMessage message) {
        ByteBuffer header = message.payloadBuffer();
        int family = header.get(0) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return Optional.empty();
        }
        int prefixLength = header.get(1) & 0xff;
        int index = header.getInt(4);
        Attributes attributes = message.attributes(IFADDRMSG_LENGTH);
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        Optional<Attribute> address = attributes.find(IFA_LOCAL).or(() -> attributes.find(IFA_ADDRESS));
        if (address.isEmpty()) {
            return Optional.empty();
        }
        String label = family == AF_INET ? attributes.find(IFA_LABEL).map(Attribute::asString).orElse("") : "";
        try {
            return Optional.of(new IfAddress(index, InetAddress.getByAddress(address.get().bytes()), prefixLength,
                    label));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address attribute of " + address.get().length() + " bytes", e);
        }
    }

    /** The request to add or delete {@code address}: ifaddrmsg, IFA_LOCAL, IFA_ADDRESS, IFA_LABEL (IPv4 only). */
    static NetlinkMessage request(int type, int flags, int ifindex, InetAddress address, int prefixLength,
                                  String label) {
        boolean v4 = address instanceof Inet4Address;
        int maxPrefix = v4 ? 32 : 128;
        if (prefixLength < 0 || prefixLength > maxPrefix) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0.." + maxPrefix);
        }
        if (!v4 && !label.isEmpty()) {
            throw new IllegalArgumentException("IPv6 addresses have no labels (got \"" + label + "\")");
        }
        if (label.getBytes(StandardCharsets.UTF_8).length > 15) {
            throw new IllegalArgumentException("label \"" + label + "\" longer than 15 bytes (IFNAMSIZ)");
        }
        byte[] ifaddrmsg = ByteBuffer.allocate(IFADDRMSG_LENGTH).order(ByteOrder.nativeOrder())
                .put((byte) (v4 ? AF_INET : AF_INET6))
                .put((byte) prefixLength)
                .put((byte) (v4 ? 0 : IFA_F_NODAD))
                .put((byte) 0) // RT_SCOPE_UNIVERSE
                .putInt(ifindex)
                .array();
        NetlinkMessageBuilder builder = new NetlinkMessageBuilder(type, flags).familyHeader(ifaddrmsg)
                .bytes(IFA_LOCAL, address.getAddress())
                .bytes(IFA_ADDRESS, address.getAddress());
        if (!label.isEmpty()) {
            builder.string(IFA_LABEL, label);
        }
        return builder.build();
    }
}
