package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.NoLeaks;

/**
 * The upstream codec closes a connection on any byte the server sends that no request asked for. With Netty's
 * HttpClientCodec (08cb094) such bytes stayed buffered in the decoder and began the next response read on the
 * pooled connection, which could so carry one client's (or an attacker's) header lines to the next client.
 */
@ExtendWith(NoLeaks.class)
class UpstreamCodecTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    private final List<Object> decoded = new ArrayList<>();

    @AfterEach
    void release() {
        decoded.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    private void request(HttpMethod method) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        ByteBuf sent;
        while ((sent = channel.readOutbound()) != null) {
            sent.release();
        }
    }

    private List<Object> receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = channel.readInbound()) != null) {
            out.add(m);
        }
        decoded.addAll(out);
        return out;
    }

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    void aCleanResponseLeavesTheConnectionOpenForTheNextRequest() {
        request(HttpMethod.GET);
        assertThat(receive(OK)).hasSize(2).last().isInstanceOf(LastHttpContent.class);
        request(HttpMethod.GET);
        assertThat(receive(OK)).hasSize(2);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void bytesAfterACompleteResponseInTheSameReadCloseTheConnectionBeforeTheResponseIsHandedOn() {
        request(HttpMethod.GET);
        List<Object> seenWhenLastArrived = new ArrayList<>();
        channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LastHttpContent) {
                    // what the proxy sees when it decides whether to pool the connection
                    seenWhenLastArrived.add(ctx.channel().isActive());
                }
                ctx.fireChannelRead(msg);
            }
        });
        List<Object> out = receive(OK + "HTTP/1.1 200 OK\r\nSet-Cookie: session=attacker\r\nX-Pad: ");
        assertThat(out).hasSize(2);
        assertThat(((HttpContent) out.get(1)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        assertThat(seenWhenLastArrived).containsExactly(false);
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void bytesArrivingLaterOnAnIdleConnectionCloseIt() {
        request(HttpMethod.GET);
        receive(OK);
        assertThat(receive("HTTP/1.1 200 OK\r\nSet-Cookie: session=attacker\r\n")).isEmpty();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void bytesBeforeAnyRequestCloseTheConnection() {
        assertThat(receive(OK)).isEmpty();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsLength() {
        request(HttpMethod.HEAD);
        List<Object> out = receive("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
        assertThat(out).hasSize(2).last().isInstanceOf(LastHttpContent.class);
        request(HttpMethod.GET);
        assertThat(receive(OK)).hasSize(2);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void anInterimResponseIsFollowedByTheFinalOne() {
        request(HttpMethod.POST);
        List<Object> out = receive("HTTP/1.1 100 Continue\r\n\r\n" + OK);
        assertThat(out).hasSize(4);
        assertThat(((HttpResponse) out.get(2)).status().code()).isEqualTo(200);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void theBytesAfterASwitchingProtocolsResponseAreNotHttp() {
        request(HttpMethod.GET);
        List<Object> out = receive("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: x\r\n\r\n\u0081\u0002hi");
        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(out.get(out.size() - 1)).isInstanceOf(ByteBuf.class);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aCorruptChunkEndsTheResponseAsAFailureAndClosesTheConnection() {
        request(HttpMethod.GET);
        List<Object> out = receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n");
        Object last = out.get(out.size() - 1);
        assertThat(last).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) last).decoderResult().isFailure()).isTrue();
        assertThat(channel.isActive()).isFalse();
    }
}
