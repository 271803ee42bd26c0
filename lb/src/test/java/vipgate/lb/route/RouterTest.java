package vipgate.lb.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import vipgate.config.HostPort;
import vipgate.lb.limit.Limits;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.ErrorPages;
import vipgate.lb.http.RealIp;
import vipgate.lb.http.HeaderRewrite;

class RouterTest {

    private static Location prefix(String path, String upstream) {
        return Location.proxy(LocationPath.parse(path), upstream, HeaderRewrite.NONE, HeaderRewrite.NONE);
    }

    private static Location exact(String path, String upstream) {
        return prefix("= " + path, upstream);
    }

    private static VirtualHost vhost(String listen, boolean isDefault, List<Location> locations, String... names) {
        return new VirtualHost(List.of(HostPort.parse(listen)), Arrays.asList(names), isDefault, List.of(), null, Limits.NONE,
                AccessRules.NONE, RealIp.OFF, false, locations, ErrorPages.DEFAULT, null);
    }

    /** One location "/" per server, to the upstream named after the server, so a route shows which server won. */
    private static VirtualHost named(String listen, String tag, boolean isDefault, String... names) {
        return vhost(listen, isDefault, List.of(prefix("/", tag)), names);
    }

    private static final InetSocketAddress PORT_80 = new InetSocketAddress("127.0.0.1", 80);

    /** The location a request is routed to, null when no server listens or no location matches (as the proxy does). */
    private static Location location(Router router, InetSocketAddress local, String host, String path) {
        VirtualHost v = router.virtualHost(local, host);
        VirtualHost.Found found = v == null ? null : v.find(path);
        return found == null ? null : found.location();
    }

    private static String serverFor(Router router, InetSocketAddress local, String host) {
        Location l = location(router, local, host, "/");
        return l == null ? null : l.upstream();
    }

    @Test
    void exactNameThenLongestLeadingWildcardThenTrailingWildcard() {
        Router router = new Router(List.of(
                named("0.0.0.0:80", "first", false, "first.example"),
                named("0.0.0.0:80", "star", false, "*.example.com"),
                named("0.0.0.0:80", "deep-star", false, "*.api.example.com"),
                named("0.0.0.0:80", "dot", false, ".example.org"),
                named("0.0.0.0:80", "trailing", false, "www.example.*"),
                named("0.0.0.0:80", "exact", false, "www.example.com")));
        assertThat(serverFor(router, PORT_80, "www.example.com")).isEqualTo("exact");
        assertThat(serverFor(router, PORT_80, "shop.example.com")).isEqualTo("star");
        assertThat(serverFor(router, PORT_80, "v1.api.example.com")).isEqualTo("deep-star");
        assertThat(serverFor(router, PORT_80, "example.com")).as("*.example.com needs a label").isEqualTo("first");
        assertThat(serverFor(router, PORT_80, "example.org")).isEqualTo("dot");
        assertThat(serverFor(router, PORT_80, "a.example.org")).isEqualTo("dot");
        assertThat(serverFor(router, PORT_80, "www.example.net")).isEqualTo("trailing");
        assertThat(serverFor(router, PORT_80, "unknown.test")).as("no match: the first server").isEqualTo("first");
        assertThat(serverFor(router, PORT_80, null)).isEqualTo("first");
    }

    @Test
    void anUnmatchedHostGoesToTheDefaultServerOfItsListener() {
        Router router = new Router(List.of(
                named("0.0.0.0:80", "a", false, "a.example"),
                named("0.0.0.0:80", "b", true, "b.example"),
                named("0.0.0.0:81", "c", true, "c.example")));
        assertThat(serverFor(router, PORT_80, "zzz")).isEqualTo("b");
        assertThat(serverFor(router, PORT_80, "a.example")).isEqualTo("a");
        assertThat(serverFor(router, PORT_80, "c.example")).as("c does not listen on 80").isEqualTo("b");
        assertThat(serverFor(router, new InetSocketAddress("127.0.0.1", 81), "a.example")).isEqualTo("c");
        assertThat(router.virtualHost(new InetSocketAddress("127.0.0.1", 82), "a.example")).as("nobody on 82").isNull();
    }

    @Test
    void aSpecificListenAddressOnlyMatchesThatAddress() {
        Router router = new Router(List.of(
                named("127.0.0.1:80", "loopback", false, "_"),
                named("0.0.0.0:80", "any", false, "_")));
        assertThat(serverFor(router, PORT_80, "x")).isEqualTo("loopback");
        assertThat(serverFor(router, new InetSocketAddress("127.0.0.2", 80), "x")).isEqualTo("any");
    }

    @Test
    void exactLocationThenLongestPrefix() {
        VirtualHost v = vhost("0.0.0.0:80", false, List.of(prefix("/", "root"), prefix("/api/", "api"),
                prefix("/api/v2/", "v2"), exact("/api/health", "health"), prefix("/static", "static")), "_");
        Router router = new Router(List.of(v));
        assertThat(location(router, PORT_80, "h", "/").upstream()).isEqualTo("root");
        assertThat(location(router, PORT_80, "h", "/index.html").upstream()).isEqualTo("root");
        assertThat(location(router, PORT_80, "h", "/api/users").upstream()).isEqualTo("api");
        assertThat(location(router, PORT_80, "h", "/api/v2/users").upstream()).isEqualTo("v2");
        assertThat(location(router, PORT_80, "h", "/api/health").upstream()).isEqualTo("health");
        assertThat(location(router, PORT_80, "h", "/api/health/deep").upstream()).isEqualTo("api");
        assertThat(location(router, PORT_80, "h", "/staticfiles/x").upstream()).isEqualTo("static");
    }

    @Test
    void noMatchingLocationIsARouteWithoutLocation() {
        Router router = new Router(List.of(vhost("0.0.0.0:80", false, List.of(prefix("/api/", "api"),
                exact("/exact", "e")), "_")));
        assertThat(router.virtualHost(PORT_80, "h")).isNotNull();
        assertThat(location(router, PORT_80, "h", "/other")).isNull();
        assertThat(location(router, PORT_80, "h", "/exact/")).isNull();
        assertThat(router.virtualHost(PORT_80, "h").find("/api").autoRedirect()).as("nginx: 301 to /api/").isTrue();
    }

    private static Router listening(String... listens) {
        return new Router(Arrays.stream(listens).map(l -> named(l, "x", false, "_")).toList());
    }

    @Test
    void bindAddressesCollapseSpecificAddressesUnderAWildcard() {
        assertThat(listening("0.0.0.0:80", "127.0.0.1:80", "10.0.0.1:80", "127.0.0.1:81").bindAddresses())
                .containsExactlyInAnyOrder(new HostPort("0.0.0.0", 80), new HostPort("127.0.0.1", 81));
        assertThat(listening("127.0.0.1:80", "*:80").bindAddresses())
                .as("*:80 is the IPv4 wildcard too").containsExactly(new HostPort("0.0.0.0", 80));
        assertThat(listening("80", "0.0.0.0:80").bindAddresses()).containsExactly(new HostPort("0.0.0.0", 80));
        assertThat(listening("[::]:80", "0.0.0.0:80", "127.0.0.1:80", "[::1]:80").bindAddresses())
                .as("[::] is dual-stack").containsExactly(new HostPort("::", 80));
        assertThat(listening("127.0.0.1:80", "[::1]:80").bindAddresses())
                .containsExactlyInAnyOrder(new HostPort("127.0.0.1", 80), new HostPort("::1", 80));
    }
}
