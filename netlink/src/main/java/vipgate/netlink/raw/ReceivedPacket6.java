package vipgate.netlink.raw;

import java.net.Inet6Address;

/**
 * An IPv6 datagram read from a raw socket. IPv6 raw sockets deliver no header: the destination, hop limit and
 * interface come from IPV6_PKTINFO / IPV6_HOPLIMIT ancillary data.
 *
 * @param hopLimit the hop limit it arrived with (VRRP requires 255)
 * @param ifindex the interface it arrived on
 * @param payload the protocol's message (for VRRP: the advert, checksum already verified by the kernel)
 */
public record ReceivedPacket6(Inet6Address source, Inet6Address destination, int hopLimit, int ifindex,
                              byte[] payload) {
    public ReceivedPacket6 {
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public String toString() {
        return "ReceivedPacket6{" + source.getHostAddress() + " -> " + destination.getHostAddress() + " hop limit "
                + hopLimit + " ifindex " + ifindex + ", " + payload.length + " bytes}";
    }
}
