package vipgate.ipvs.netlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What identifies an IPVS service in the kernel: a protocol, address and port, or a firewall mark (the kernel
 * matches packets by {@code iptables -j MARK} instead of by address). Everything else about a service can be
 * changed in place with SET_SERVICE; a different key is a different service.
 */
public sealed interface ServiceKey permits ServiceKey.Address, ServiceKey.Fwmark {

    AddressFamily family();

    static Address of(Protocol protocol, InetAddress address, int port) {
        return new Address(protocol, address, port);
    }

    static Fwmark fwmark(int mark, AddressFamily family) {
        return new Fwmark(mark, family);
    }

    /**
     * {@code 10.0.0.1:80/tcp} or {@code [2001:db8::1]:80/tcp}.
     *
     * @param port 0 with persistence means "every port" (ipvsadm {@code -t 10.0.0.1:0 -p})
     */
    record Address(Protocol protocol, InetAddress address, int port) implements ServiceKey {
        public Address {
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(address, "address");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
        }

        @Override
        public AddressFamily family() {
            return AddressFamily.of(address);
        }

        @Override
        public String toString() {
            return Addresses.withPort(address, port) + "/" + protocol.word();
        }
    }

    /** {@code fwmark 5}, or {@code fwmark 5/ipv6}: the same mark can carry one service per family. */
    record Fwmark(int mark, AddressFamily family) implements ServiceKey {
        public Fwmark {
            Objects.requireNonNull(family, "family");
            if (mark == 0) {
                throw new IllegalArgumentException("fwmark 0 means no mark; use an address service instead");
            }
        }

        @Override
        public String toString() {
            return "fwmark " + Integer.toUnsignedString(mark) + (family == AddressFamily.INET6 ? "/ipv6" : "");
        }
    }
}
