package vipgate.lb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cidr, AccessRules (allow/deny) and RealIp (set_real_ip_from), the pieces that decide who the client is. */
class ClientAddressTest {

    /** A peer or PROXY source at {@code literal}, port 5000. */
    private static InetSocketAddress at(String literal) {
        return new InetSocketAddress(ip(literal), 5000);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void networksMatchTheirAddressesAndMappedIpv4() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertThat(ten.contains(ip("10.200.1.1"))).isTrue();
        assertThat(ten.contains(ip("11.0.0.1"))).isFalse();
        assertThat(ten.contains(ip("::ffff:10.1.1.1"))).as("a dual-stack socket's IPv4 client").isTrue();
        assertThat(ten.contains(ip("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("10.1.2.3/8").contains(ip("10.9.9.9"))).as("low bits ignored, as nginx").isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(ip("192.0.2.7"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(ip("192.0.2.8"))).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:1::5"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.1"))).isTrue();
        assertThat(Cidr.parse("192.0.2.128/25").contains(ip("192.0.2.127"))).isFalse();
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageContaining("not an address");
        assertThatThrownBy(() -> Cidr.parse("10.1")).as("no JDK shorthand").hasMessageContaining("not an address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("0-32");
    }

    @Test
    void theFirstMatchingRuleDecidesAndNoMatchAllows() {
        AccessRules rules = AccessRules.parse(List.of("deny 10.0.0.1", "allow 10.0.0.0/8", "deny all"));
        assertThat(rules.allows(ip("10.0.0.1"))).isFalse();
        assertThat(rules.allows(ip("10.0.0.2"))).isTrue();
        assertThat(rules.allows(ip("192.0.2.1"))).isFalse();
        assertThat(AccessRules.parse(List.of("deny 192.0.2.0/24")).allows(ip("198.51.100.1"))).isTrue();
        assertThat(AccessRules.NONE.allows(ip("192.0.2.1"))).isTrue();
        assertThatThrownBy(() -> AccessRules.parse(List.of("permit 10.0.0.0/8"))).hasMessageContaining("allow|deny");
    }

    private static HttpHeaders headers(String name, String value) {
        return new DefaultHttpHeaders().add(name, value);
    }

    @Test
    void onlyATrustedSenderNamesTheClient() {
        RealIp xff = new RealIp(List.of(Cidr.parse("10.0.0.0/8")), "X-Forwarded-For", false);
        HttpHeaders h = headers("X-Forwarded-For", "203.0.113.9, 10.0.0.5");
        assertThat(xff.client(at("192.0.2.1"), null, h).getAddress()).as("untrusted sender: ignored").isEqualTo(ip("192.0.2.1"));
        assertThat(xff.client(at("10.0.0.9"), null, h).getAddress()).as("the last address").isEqualTo(ip("10.0.0.5"));
        RealIp recursive = new RealIp(List.of(Cidr.parse("10.0.0.0/8")), "X-Forwarded-For", true);
        assertThat(recursive.client(at("10.0.0.9"), null, h).getAddress()).as("the last untrusted one").isEqualTo(ip("203.0.113.9"));
        assertThat(recursive.client(at("10.0.0.9"), null, headers("X-Forwarded-For", "10.0.0.7, 10.0.0.5")).getAddress())
                .as("all trusted: the first").isEqualTo(ip("10.0.0.7"));
        assertThat(xff.client(at("10.0.0.9"), null, headers("X-Forwarded-For", "evil.example")).getAddress()).as("not an address")
                .isEqualTo(ip("10.0.0.9"));
        RealIp realIp = new RealIp(List.of(Cidr.parse("10.0.0.0/8")), "X-Real-IP", false);
        assertThat(realIp.client(at("10.0.0.9"), null, headers("X-Real-IP", "198.51.100.4 ")).getAddress()).isEqualTo(ip("198.51.100.4"));
        assertThat(realIp.client(at("10.0.0.9"), null, headers("X-Real-IP", "1.2.3.4, 5.6.7.8")).getAddress()).as("one address only")
                .isEqualTo(ip("10.0.0.9"));
        assertThat(RealIp.OFF.client(at("10.0.0.9"), null, h).getAddress()).isEqualTo(ip("10.0.0.9"));
    }

    @Test
    void proxyProtocolNamesTheClientOnlyForATrustedSender() {
        RealIp proxy = new RealIp(List.of(Cidr.parse("10.0.0.0/8")), "proxy_protocol", false);
        HttpHeaders spoof = headers("X-Real-IP", "198.51.100.4");
        assertThat(proxy.client(at("10.0.0.9"), at("203.0.113.9"), spoof).getAddress()).isEqualTo(ip("203.0.113.9"));
        assertThat(proxy.client(at("10.0.0.9"), null, spoof).getAddress()).as("no header (a LOCAL one): the connection's")
                .isEqualTo(ip("10.0.0.9"));
        assertThat(proxy.client(at("192.0.2.1"), at("203.0.113.9"), spoof).getAddress()).isEqualTo(ip("192.0.2.1"));
        assertThat(proxy.isTrusted(ip("10.1.2.3"))).isTrue();
        assertThat(proxy.isTrusted(ip("192.0.2.1"))).isFalse();
    }
}
