package vipgate.lb.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {

    /** Variables of a request from 192.0.2.7:51000 to www.example.com on port 8080. */
    static final class Vars implements RequestVariables {
        final Map<String, String> headers = new LinkedHashMap<>();

        Vars header(String name, String value) {
            headers.put(name.toLowerCase(), value);
            return this;
        }

        @Override
        public String remoteAddr() {
            return "192.0.2.7";
        }

        @Override
        public int remotePort() {
            return 51000;
        }

        @Override
        public String host() {
            return "www.example.com";
        }

        @Override
        public int serverPort() {
            return 8080;
        }

        @Override
        public String requestUri() {
            return "/a?b=c";
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public String proxyHost() {
            return "web";
        }

        @Override
        public String upstreamAddr() {
            return "10.0.0.1:80";
        }

        @Override
        public String requestHeader(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    @Test
    void remoteAddr() {
        assertThat(Template.parse("$remote_addr").evaluate(new Vars())).isEqualTo("192.0.2.7");
    }

    @Test
    void proxyAddXForwardedForWithoutAnIncomingHeaderIsTheClient() {
        assertThat(Template.parse("$proxy_add_x_forwarded_for").evaluate(new Vars())).isEqualTo("192.0.2.7");
    }

    @Test
    void proxyAddXForwardedForAppendsTheClientToAnIncomingHeader() {
        Vars v = new Vars().header("X-Forwarded-For", "203.0.113.1, 198.51.100.2");
        assertThat(Template.parse("$proxy_add_x_forwarded_for").evaluate(v)).isEqualTo("203.0.113.1, 198.51.100.2, 192.0.2.7");
    }

    @Test
    void bracedVariablesLiteralsAndHeaders() {
        Vars v = new Vars().header("X-Request-Id", "r-1");
        assertThat(Template.parse("${host}:$server_port").evaluate(v)).isEqualTo("www.example.com:8080");
        assertThat(Template.parse("$scheme://${host}$request_uri").evaluate(v)).isEqualTo("http://www.example.com/a?b=c");
        assertThat(Template.parse("id=$http_x_request_id;").evaluate(v)).isEqualTo("id=r-1;");
        assertThat(Template.parse("$http_missing").evaluate(v)).isEmpty();
        assertThat(Template.parse("$remote_port $proxy_host $upstream_addr").evaluate(v)).isEqualTo("51000 web 10.0.0.1:80");
        assertThat(Template.parse("costs $ 5").evaluate(v)).isEqualTo("costs $ 5");
        assertThat(Template.parse("plain").evaluate(v)).isEqualTo("plain");
        assertThat(Template.parse("").isEmpty()).isTrue();
    }

    @Test
    void anUnknownVariableIsAnErrorNamingTheKnownOnes() {
        assertThatThrownBy(() -> Template.parse("$remote_adr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown variable $remote_adr")
                .hasMessageContaining("$remote_addr");
        assertThatThrownBy(() -> Template.parse("${host")).hasMessageContaining("unclosed");
    }

    @Test
    void headerRewriteSetsRemovesAndNamesTheHeaderOfABadTemplate() {
        Map<String, String> spec = new LinkedHashMap<>();
        spec.put("X-Real-IP", "$remote_addr");
        spec.put("X-Forwarded-For", "$proxy_add_x_forwarded_for");
        spec.put("Host", "${host}");
        spec.put("X-Secret", "");
        spec.put("X-Trace", "$http_x_trace");
        HeaderRewrite rewrite = HeaderRewrite.of(spec);
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "WWW.example.com:8080").add("X-Secret", "s")
                .add("X-Real-IP", "6.6.6.6").add("X-Trace", "t");
        rewrite.apply(h, new Vars().header("X-Forwarded-For", "203.0.113.1"));
        assertThat(h.get("X-Real-IP")).isEqualTo("192.0.2.7");
        assertThat(h.getAll("X-Real-IP")).hasSize(1);
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.1, 192.0.2.7");
        assertThat(h.get("Host")).isEqualTo("www.example.com");
        assertThat(h.contains("X-Secret")).as("empty value removes").isFalse();
        assertThat(h.contains("X-Trace")).as("a value that evaluates empty removes").isFalse();
        assertThat(rewrite.sets("host")).isTrue();
        assertThat(rewrite.sets("X-Other")).isFalse();

        assertThatThrownBy(() -> HeaderRewrite.of(Map.of("X-Real-IP", "$remote_adr")))
                .hasMessageStartingWith("X-Real-IP: unknown variable $remote_adr");
    }
}
