package vipgate.ipvs.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Expected strings are what glibc's inet_ntop prints for the same addresses (as ipvsadm -n shows them). */
class AddressesTest {
    private static String ntop(String literal) throws Exception {
        return Addresses.format(InetAddress.getByName(literal));
    }

    @Test
    void ipv6IsShortenedLikeInetNtop() throws Exception {
        assertThat(ntop("2001:0db8:0:0:0:0:0:1")).isEqualTo("2001:db8::1");
        assertThat(ntop("::")).isEqualTo("::");
        assertThat(ntop("::1")).isEqualTo("::1");
        assertThat(ntop("fe80::")).isEqualTo("fe80::");
        assertThat(ntop("2001:db8:0:1:0:0:0:1")).isEqualTo("2001:db8:0:1::1");   // the longest run
        assertThat(ntop("2001:0:0:1:0:0:2:3")).isEqualTo("2001::1:0:0:2:3");     // first run on a tie
        assertThat(ntop("2001:db8:1:0:1:1:1:1")).isEqualTo("2001:db8:1:0:1:1:1:1"); // one zero group stays
        assertThat(ntop("::0.0.0.2")).isEqualTo("::2");
        assertThat(ntop("::1.2.3.4")).isEqualTo("::1.2.3.4");
    }

    @Test
    void ipv4MappedStaysIpv6() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        InetAddress address = Addresses.fromWire(mapped, AddressFamily.INET6);
        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(Addresses.format(address)).isEqualTo("::ffff:10.0.0.1");
        assertThat(Addresses.withPort(address, 80)).isEqualTo("[::ffff:10.0.0.1]:80");
        assertThat(Addresses.withPort(InetAddress.getByName("192.168.1.1"), 8080)).isEqualTo("192.168.1.1:8080");
        assertThat(Addresses.toWire(InetAddress.getByName("10.0.0.1"))).hasSize(16).startsWith(10, 0, 0, 1);
    }
}
