package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The static helpers the proxy routes with: the path of a request target and the host of a Host header. */
class ProxyExchangeHelpersTest {

    @Test
    void routablePathOfOriginForm() {
        assertThat(ProxyExchange.routablePath("/")).isEqualTo("/");
        assertThat(ProxyExchange.routablePath("/a/b?x=1&y=/..")).isEqualTo("/a/b");
        assertThat(ProxyExchange.routablePath("/a/./b/../c")).isEqualTo("/a/c");
        assertThat(ProxyExchange.routablePath("/a//b///c")).isEqualTo("/a/b/c");
        assertThat(ProxyExchange.routablePath("/api/%2e%2e/admin")).as("encoded dot segments").isEqualTo("/admin");
        assertThat(ProxyExchange.routablePath("/caf%C3%A9")).isEqualTo("/café");
    }

    @Test
    void routablePathOfAbsoluteAndAsteriskForm() {
        assertThat(ProxyExchange.routablePath("http://example.com/a/b?q")).isEqualTo("/a/b");
        assertThat(ProxyExchange.routablePath("http://example.com")).isEqualTo("/");
        assertThat(ProxyExchange.routablePath("*")).isEqualTo("*");
    }

    @Test
    void routablePathRefusesWhatCannotBeRouted() {
        assertThat(ProxyExchange.routablePath("/../etc/passwd")).isNull();
        assertThat(ProxyExchange.routablePath("/a/../../b")).isNull();
        assertThat(ProxyExchange.routablePath("/%2e%2e/x")).isNull();
        assertThat(ProxyExchange.routablePath("/bad%zzescape")).isNull();
        assertThat(ProxyExchange.routablePath("relative/path")).isNull();
        assertThat(ProxyExchange.routablePath("example.com:443")).isNull();
    }

    @Test
    void anAbsoluteFormTargetGivesItsAuthorityAndIsForwardedInOriginForm() {
        assertThat(ProxyExchange.absoluteFormAuthority("http://Shop.Example:8080/a?b")).isEqualTo("Shop.Example:8080");
        assertThat(ProxyExchange.absoluteFormAuthority("http://[::1]/")).isEqualTo("[::1]");
        assertThat(ProxyExchange.absoluteFormAuthority("/a/b")).isNull();
        assertThat(ProxyExchange.absoluteFormAuthority("*")).isNull();
        assertThat(ProxyExchange.absoluteFormAuthority("http:///nohost")).isNull();
        assertThat(ProxyExchange.originForm("http://shop.example/a/b?x=1&y=%20")).isEqualTo("/a/b?x=1&y=%20");
        assertThat(ProxyExchange.originForm("http://shop.example")).isEqualTo("/");
        assertThat(ProxyExchange.originForm("http://shop.example?q")).isEqualTo("/?q");
        assertThat(ProxyExchange.originForm("/a?b")).isEqualTo("/a?b");
        assertThat(ProxyExchange.originForm("*")).isEqualTo("*");
    }

    @Test
    void normaliseHostLowerCasesAndDropsPortAndTrailingDot() {
        assertThat(ProxyExchange.normaliseHost("WWW.Example.COM")).isEqualTo("www.example.com");
        assertThat(ProxyExchange.normaliseHost(" www.example.com:8080 ")).isEqualTo("www.example.com");
        assertThat(ProxyExchange.normaliseHost("www.example.com.")).isEqualTo("www.example.com");
        assertThat(ProxyExchange.normaliseHost("[::1]:8080")).isEqualTo("[::1]");
        assertThat(ProxyExchange.normaliseHost("[2001:DB8::1]")).isEqualTo("[2001:db8::1]");
        assertThat(ProxyExchange.normaliseHost("")).isEmpty();
    }

    @Test
    void normaliseHostRefusesImplausibleHosts() {
        assertThat(ProxyExchange.normaliseHost("[::1")).isNull();
        assertThat(ProxyExchange.normaliseHost("exa mple.com")).isNull();
        assertThat(ProxyExchange.normaliseHost("example.com/evil")).isNull();
        assertThat(ProxyExchange.normaliseHost("user@example.com")).isNull();
        assertThat(ProxyExchange.normaliseHost("example.com\\x")).isNull();
    }
}
