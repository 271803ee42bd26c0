package vipgate.vrrp.wire;

/**
 * Who computes the checksum of an IPv6 VRRPv3 packet. An IPv6 raw socket can be told to do it
 * (IPV6_CHECKSUM with offset 6), and then the kernel also verifies and drops bad ones on receive. IPv4
 * raw sockets cannot, so for IPv4 only {@link #COMPUTE} is accepted.
 */
public enum ChecksumMode {
    COMPUTE,
    LEAVE_TO_KERNEL
}
