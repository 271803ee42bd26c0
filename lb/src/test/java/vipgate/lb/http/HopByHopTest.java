package vipgate.lb.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class HopByHopTest {

    @Test
    void stripsConnectionAndEveryHeaderItNamesAndTheFixedHopByHopSet() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-Foo , x-bar")
                .add("Connection", "X-Baz")
                .add("X-Foo", "1").add("X-Bar", "2").add("X-Baz", "3")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("TE", "trailers")
                .add("Trailer", "X-Checksum").add("Transfer-Encoding", "chunked").add("Upgrade", "h2c")
                .add("Host", "example").add("X-Kept", "yes").add("Content-Length", "3");
        HopByHop.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "X-Kept", "Content-Length");
    }

    /**
     * 08cb094 removed Content-Length when Connection named it and still streamed the body, which the server then
     * read as a second request. nginx and HAProxy forward Content-Length (and Host) whatever Connection says.
     */
    @Test
    void connectionCannotRemoveTheFramingOrTheHost() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "Content-Length, HOST, transfer-encoding, X-Foo")
                .add("Content-Length", "42").add("Host", "example").add("X-Foo", "1");
        HopByHop.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Content-Length", "Host");
        assertThat(h.get("Content-Length")).isEqualTo("42");
    }

    @Test
    void leavesAnOrdinaryRequestAlone() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "example").add("Accept", "*/*");
        HopByHop.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "Accept");
    }

    private static HttpRequest request(HttpMethod method, String connection, String upgrade) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/ws");
        if (connection != null) {
            r.headers().set("Connection", connection);
        }
        if (upgrade != null) {
            r.headers().set("Upgrade", upgrade);
        }
        return r;
    }

    @Test
    void recognisesAWebSocketHandshakeOnly() {
        assertThat(HopByHop.isWebSocketUpgrade(request(HttpMethod.GET, "Upgrade", "websocket"))).isTrue();
        assertThat(HopByHop.isWebSocketUpgrade(request(HttpMethod.GET, "keep-alive, Upgrade", "WebSocket"))).isTrue();
        assertThat(HopByHop.isWebSocketUpgrade(request(HttpMethod.POST, "Upgrade", "websocket"))).isFalse();
        assertThat(HopByHop.isWebSocketUpgrade(request(HttpMethod.GET, "Upgrade", "h2c"))).isFalse();
        assertThat(HopByHop.isWebSocketUpgrade(request(HttpMethod.GET, "keep-alive", "websocket"))).isFalse();
        assertThat(HopByHop.isWebSocketUpgrade(request(HttpMethod.GET, null, "websocket"))).isFalse();
    }
}
