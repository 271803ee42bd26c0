package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import vipgate.lb.http.HeaderRewrite;
import vipgate.lb.http.RequestVariables;

class ForwardHeadersTest {
    private static final RequestVariables VARS = new RequestVariables() {
        @Override
        public String remoteAddr() {
            return "192.0.2.7";
        }

        @Override
        public int remotePort() {
            return 40000;
        }

        @Override
        public String host() {
            return "app.example";
        }

        @Override
        public int serverPort() {
            return 80;
        }

        @Override
        public String requestUri() {
            return "/";
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public String proxyHost() {
            return "app";
        }

        @Override
        public String upstreamAddr() {
            return "";
        }

        @Override
        public String requestHeader(String name) {
            return null;
        }
    };

    private static HttpRequest request(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static HttpResponse response(int status, String... headers) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static HttpHeaders upstream(HttpRequest r, HeaderRewrite rules) {
        return ForwardHeaders.upstreamRequest(r, null, null, false, rules, VARS).headers();
    }

    @Test
    void theUpstreamHeadIsHttp11InOriginFormWithoutHopByHopFields() {
        HttpRequest r = request("http://api.example/v1?q=1", "Host", "app.example", "Connection", "close, X-Secret",
                "X-Secret", "1", "Keep-Alive", "timeout=5", "TE", "trailers", "Expect", "100-continue", "X-Kept", "yes");
        HttpRequest out = ForwardHeaders.upstreamRequest(r, null, "api.example", false, HeaderRewrite.NONE, VARS);
        assertThat(out.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(out.uri()).isEqualTo("/v1?q=1");
        HttpHeaders h = out.headers();
        assertThat(h.get("Host")).as("the host routed on").isEqualTo("api.example");
        assertThat(h.names()).doesNotContain("Connection", "X-Secret", "Keep-Alive", "TE", "Expect");
        assertThat(h.get("X-Kept")).isEqualTo("yes");
        assertThat(r.headers().get("X-Secret")).as("the client's request is left as it was").isEqualTo("1");
    }

    @Test
    void connectionCannotRemoveTheFramingOrTheHost() {
        HttpHeaders h = upstream(request("/", "Host", "app.example", "Content-Length", "5",
                "Connection", "Content-Length, Host"), HeaderRewrite.NONE);
        assertThat(h.get("Content-Length")).isEqualTo("5");
        assertThat(h.get("Host")).isEqualTo("app.example");
        HttpHeaders chunked = upstream(request("/", "Host", "app.example", "Transfer-Encoding", "chunked",
                "Connection", "Transfer-Encoding"), HeaderRewrite.NONE);
        assertThat(chunked.get("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(chunked.contains("Content-Length")).isFalse();
    }

    @Test
    void aHeaderRuleCannotSetTheFramingEither() {
        HeaderRewrite rules = HeaderRewrite.of(Map.of("Content-Length", "0", "Transfer-Encoding", "chunked"));
        HttpHeaders h = upstream(request("/", "Host", "app.example", "Content-Length", "5"), rules);
        assertThat(h.get("Content-Length")).isEqualTo("5");
        assertThat(h.contains("Transfer-Encoding")).isFalse();
        HttpHeaders none = upstream(request("/", "Host", "app.example"), rules);
        assertThat(none.contains("Content-Length")).isFalse();
        assertThat(none.contains("Transfer-Encoding")).isFalse();
    }

    @Test
    void aRequestWithoutHostGetsTheUpstreamNameAndAWebSocketKeepsItsUpgrade() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        assertThat(ForwardHeaders.upstreamRequest(r, null, null, false, HeaderRewrite.NONE, VARS).headers().get("Host")).isEqualTo("app");
        HttpRequest ws = request("/ws", "Host", "app.example", "Connection", "Upgrade", "Upgrade", "websocket");
        HttpHeaders h = ForwardHeaders.upstreamRequest(ws, null, null, true, HeaderRewrite.NONE, VARS).headers();
        assertThat(h.get("Upgrade")).isEqualTo("websocket");
        assertThat(h.get("Connection")).isEqualTo("upgrade");
    }

    @Test
    void aLengthIsPassedOnAndAChunkedOrUnframedBodyIsChunkedToAnHttp11Client() {
        HttpResponse length = response(200, "Content-Length", "7", "Connection", "Content-Length");
        assertThat(ForwardHeaders.toClient(length, false, true, HeaderRewrite.NONE, VARS, true)).isTrue();
        assertThat(length.headers().get("Content-Length")).isEqualTo("7");
        assertThat(length.headers().contains("Connection")).isFalse();

        HttpResponse unframed = response(200);
        assertThat(ForwardHeaders.endsAtClose(unframed, false)).isTrue();
        assertThat(ForwardHeaders.toClient(unframed, false, true, HeaderRewrite.NONE, VARS, true)).isTrue();
        assertThat(unframed.headers().get("Transfer-Encoding")).isEqualTo("chunked");
    }

    @Test
    void aBodyOnlyTheCloseCanEndClosesAnHttp10Client() {
        HttpResponse chunked = response(200, "Transfer-Encoding", "chunked");
        assertThat(ForwardHeaders.toClient(chunked, false, false, HeaderRewrite.NONE, VARS, true)).isFalse();
        assertThat(chunked.headers().get("Connection")).isEqualTo("close");
        assertThat(chunked.headers().contains("Transfer-Encoding")).isFalse();

        HttpResponse length = response(200, "Content-Length", "2");
        assertThat(ForwardHeaders.toClient(length, false, false, HeaderRewrite.NONE, VARS, true)).isTrue();
        assertThat(length.headers().get("Connection")).isEqualTo("keep-alive");
    }

    @Test
    void bodilessResponsesKeepTheirLengthButGetNoChunking() {
        HttpResponse head = response(200, "Transfer-Encoding", "chunked");
        ForwardHeaders.toClient(head, true, true, HeaderRewrite.NONE, VARS, true);
        assertThat(head.headers().get("Transfer-Encoding")).as("a HEAD says how the GET would be framed").isEqualTo("chunked");
        HttpResponse headLength = response(200, "Content-Length", "1000");
        assertThat(ForwardHeaders.endsAtClose(headLength, true)).isFalse();
        ForwardHeaders.toClient(headLength, true, true, HeaderRewrite.NONE, VARS, true);
        assertThat(headLength.headers().get("Content-Length")).isEqualTo("1000");
        HttpResponse noContent = response(204);
        assertThat(ForwardHeaders.endsAtClose(noContent, false)).isFalse();
        ForwardHeaders.toClient(noContent, false, true, HeaderRewrite.NONE, VARS, true);
        assertThat(noContent.headers().isEmpty()).isTrue();
        HttpResponse notModified = response(304, "ETag", "\"x\"");
        ForwardHeaders.toClient(notModified, false, true, HeaderRewrite.NONE, VARS, true);
        assertThat(notModified.headers().contains("Transfer-Encoding")).isFalse();
    }

    @Test
    void aResponseRuleCannotChangeTheFramingAndCloseIsSaidWhenNotKept() {
        HeaderRewrite rules = HeaderRewrite.of(Map.of("Content-Length", "1", "X-Served-By", "$proxy_host"));
        HttpResponse r = response(200, "Content-Length", "7");
        assertThat(ForwardHeaders.toClient(r, false, true, rules, VARS, false)).isFalse();
        assertThat(r.headers().get("Content-Length")).isEqualTo("7");
        assertThat(r.headers().get("X-Served-By")).isEqualTo("app");
        assertThat(r.headers().get("Connection")).isEqualTo("close");
    }

    @Test
    void anUpgradeResponseNamesTheUpgradeAndLeavesTheServersHeadAlone() {
        HttpResponse r = response(101, "Upgrade", "websocket", "Connection", "Upgrade, X-Hop", "X-Hop", "1",
                "Sec-WebSocket-Accept", "abc");
        HttpHeaders h = ForwardHeaders.upgradeResponse(r.headers(), HeaderRewrite.NONE, VARS);
        assertThat(h.get("Upgrade")).isEqualTo("websocket");
        assertThat(h.get("Connection")).isEqualTo("upgrade");
        assertThat(h.contains("X-Hop")).isFalse();
        assertThat(h.get("Sec-WebSocket-Accept")).isEqualTo("abc");
        assertThat(r.headers().contains("X-Hop")).isTrue();
    }

    @Test
    void theServersKeepAliveTimeoutLeavesASecondOfMargin() {
        assertThat(ForwardHeaders.serverIdleLimitNanos(null)).isZero();
        assertThat(ForwardHeaders.serverIdleLimitNanos("max=100")).isZero();
        assertThat(ForwardHeaders.serverIdleLimitNanos("timeout=abc")).isZero();
        assertThat(ForwardHeaders.serverIdleLimitNanos("timeout=5, max=100")).isEqualTo(TimeUnit.SECONDS.toNanos(4));
        assertThat(ForwardHeaders.serverIdleLimitNanos("Timeout = 5")).isZero();
        assertThat(ForwardHeaders.serverIdleLimitNanos("TIMEOUT=1")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(ForwardHeaders.serverIdleLimitNanos("timeout=0")).as("above 0, which means unknown").isEqualTo(1);
    }
}
