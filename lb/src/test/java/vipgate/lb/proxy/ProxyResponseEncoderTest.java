package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyResponseEncoderTest {
    private final ProxyResponseEncoder encoder = new ProxyResponseEncoder();
    private final EmbeddedChannel channel = new EmbeddedChannel(encoder);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private String write(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        r.headers().setInt("Content-Length", body.length());
        channel.writeOutbound(r);
        StringBuilder out = new StringBuilder();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            out.append(((ByteBuf) m).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) m).release();
        }
        return out.toString();
    }

    @Test
    void eachFinalResponseTakesTheMethodOfTheOldestRequestNotYetAnswered() {
        encoder.requestReceived(HttpMethod.GET);
        encoder.requestReceived(HttpMethod.HEAD);
        encoder.requestReceived(HttpMethod.GET);
        assertThat(write(HttpResponseStatus.OK, "one")).endsWith("\r\n\r\none");
        assertThat(write(HttpResponseStatus.OK, "two")).as("the HEAD's").endsWith("Content-Length: 3\r\n\r\n");
        assertThat(write(HttpResponseStatus.OK, "three")).endsWith("\r\n\r\nthree");
    }

    @Test
    void aContinueLeavesTheMethodForTheFinalResponse() {
        encoder.requestReceived(HttpMethod.HEAD);
        write(HttpResponseStatus.CONTINUE, "");
        assertThat(write(HttpResponseStatus.OK, "body")).endsWith("Content-Length: 4\r\n\r\n");
    }

    @Test
    void aResponseWithoutARequestHasItsBody() {
        // e.g. a 400 for a request that could not be read as one
        assertThat(write(HttpResponseStatus.BAD_REQUEST, "bad")).endsWith("\r\n\r\nbad");
    }
}
