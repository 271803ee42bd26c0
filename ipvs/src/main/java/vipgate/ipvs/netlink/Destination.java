package vipgate.ipvs.netlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One real server of a service as NEW/SET_DEST write it. Its identity within the service is address and port;
 * everything else can change in place with SET_DEST.
 *
 * @param port 0 for fwmark services without a port of their own (packets keep their destination port)
 * @param weight 0 keeps the server in the table without new connections (keepalived inhibit_on_failure)
 * @param upperThreshold no new connections above this many (0: no limit)
 * @param lowerThreshold new connections again below this many after the upper one was hit
 * @param tunnel the encapsulation, meaningful for {@link Forwarding#TUNNEL} only (else always {@link Tunnel#IPIP}, the
 *        kernel's zero value, so a dump compares equal to what was written)
 */
public record Destination(InetAddress address, int port, Forwarding forwarding, int weight, int upperThreshold,
        int lowerThreshold, Tunnel tunnel) {

    public Destination {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(forwarding, "forwarding");
        Objects.requireNonNull(tunnel, "tunnel");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight must not be negative, got " + weight);
        }
        if (upperThreshold < 0 || lowerThreshold < 0) {
            throw new IllegalArgumentException("connection thresholds must not be negative");
        }
        if (forwarding != Forwarding.TUNNEL) {
            tunnel = Tunnel.IPIP;
        }
    }

    public static Destination of(InetAddress address, int port, Forwarding forwarding, int weight) {
        return new Destination(address, port, forwarding, weight, 0, 0, Tunnel.IPIP);
    }

    public AddressFamily family() {
        return AddressFamily.of(address);
    }

    /** Same address and port: the kernel's identity of a destination within its service. */
    public boolean sameServer(Destination other) {
        return port == other.port && address.equals(other.address);
    }

    public Destination withWeight(int newWeight) {
        return new Destination(address, port, forwarding, newWeight, upperThreshold, lowerThreshold, tunnel);
    }

    @Override
    public String toString() {
        return Addresses.withPort(address, port);
    }
}
