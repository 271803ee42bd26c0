package vipgate.lb.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The static helpers the proxy routes with: the path of a request target and the host of a Host header. */
class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            # origin form
            /                        | /
            /a/b?x=1&y=/..           | /a/b
            /a/./b/../c              | /a/c
            /a//b///c                | /a/b/c
            # encoded dot segments
            /api/%2e%2e/admin        | /admin
            /caf%C3%A9               | /café
            # absolute form and asterisk form
            http://example.com/a/b?q | /a/b
            http://example.com       | /
            *                        | *
            """)
    void routablePath(String target, String path) {
        assertThat(RequestTarget.routablePath(target)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/bad%zzescape", "relative/path", "example.com:443",
        // nginx 1.22 answers all of these 400; 08cb094 routed them (the last two on the Host header, and
        // http://u:p@b.test/ on host "u"). HAProxy 2.6 refuses the control byte and userinfo, forwards DEL and http:///x.
        "/a\u0001b", "/a\u007fb", "/a\tb", "http:///x", "http://u:p@b.test/", "http://u@b.test/"})
    void routablePathRefusesWhatCannotBeRouted(String target) {
        assertThat(RequestTarget.routablePath(target)).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            http://Shop.Example:8080/a?b | Shop.Example:8080
            http://[::1]/                | [::1]
            /a/b                         | null
            *                            | null
            http:///nohost               | null
            """)
    void anAbsoluteFormTargetGivesItsAuthority(String target, String authority) {
        assertThat(RequestTarget.absoluteFormAuthority(target)).isEqualTo(authority);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            http://shop.example/a/b?x=1&y=%20 | /a/b?x=1&y=%20
            http://shop.example               | /
            http://shop.example?q             | /?q
            /a?b                              | /a?b
            *                                 | *
            """)
    void anAbsoluteFormTargetIsForwardedInOriginForm(String target, String originForm) {
        assertThat(RequestTarget.originForm(target)).isEqualTo(originForm);
    }

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', textBlock = """
            WWW.Example.COM          | www.example.com
            ' www.example.com:8080 ' | www.example.com
            www.example.com.         | www.example.com
            [::1]:8080               | [::1]
            [2001:DB8::1]            | [2001:db8::1]
            ''                       | ''
            """)
    void normaliseHostLowerCasesAndDropsPortAndTrailingDot(String host, String normalised) {
        assertThat(RequestTarget.normaliseHost(host)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[::1", "exa mple.com", "example.com/evil", "user@example.com", "example.com\\x",
        // a.test for nginx (and 08cb094), b.test for a server reading userinfo@host: refused (nginx and HAProxy pass it)
        "a.test:1@b.test", "a.test:80x", "[::1]x", "[::1]:8o"})
    void normaliseHostRefusesImplausibleHosts(String host) {
        assertThat(RequestTarget.normaliseHost(host)).isNull();
    }
}
