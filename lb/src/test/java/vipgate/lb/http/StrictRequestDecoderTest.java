package vipgate.lb.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import vipgate.testkit.NoLeaks;

@ExtendWith(NoLeaks.class)
class StrictRequestDecoderTest {
    private final List<Object> decoded = new ArrayList<>();
    private EmbeddedChannel channel;

    @AfterEach
    void release() {
        decoded.forEach(ReferenceCountUtil::release);
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** Same settings as the proxy's pipeline, with small limits. */
    private List<Object> decode(String... packets) {
        return decode(false, packets);
    }

    private List<Object> decode(boolean underscoresInHeaders, String... packets) {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(256).setMaxHeaderSize(512)
                .setAllowDuplicateContentLengths(false).setStrictLineParsing(true).setUseRfc9112TransferEncoding(true);
        channel = new EmbeddedChannel(new StrictRequestDecoder(config, underscoresInHeaders));
        for (String p : packets) {
            channel.writeInbound(Unpooled.copiedBuffer(p, StandardCharsets.ISO_8859_1));
        }
        Object m;
        while ((m = channel.readInbound()) != null) {
            decoded.add(m);
        }
        return decoded;
    }

    @Test
    void aCleanRequestPasses() {
        List<Object> out = decode("GET /a HTTP/1.1\r\nHost: example\r\nX-Tab:\tvalue\r\n\r\n");
        assertThat(out).hasSize(2);
        HttpRequest req = (HttpRequest) out.get(0);
        assertThat(req.decoderResult().isSuccess()).isTrue();
        assertThat(req.uri()).isEqualTo("/a");
        assertThat(req.headers().get("X-Tab")).isEqualTo("value");
        assertThat(out.get(1)).isInstanceOf(LastHttpContent.class);
    }

    @Test
    void obsFoldIsRejectedAndTheRestDiscarded() {
        List<Object> out = decode("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n",
                "GET /later HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).isInstanceOf(StrictRequestDecoder.Rejected.class);
        assertThat(((StrictRequestDecoder.Rejected) out.get(0)).reason()).contains("folding");
    }

    @Test
    void aFoldWithATabSplitAcrossPacketsIsRejected() {
        List<Object> out = decode("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n", "\ttwo\r\n\r\n");
        assertThat(out).singleElement().isInstanceOf(StrictRequestDecoder.Rejected.class);
    }

    @Test
    void repeatedContentLengthIsRejectedEvenInHttp10() {
        List<Object> out = decode("POST / HTTP/1.0\r\nContent-length: 3\r\nCONTENT-LENGTH: 5\r\n\r\nabcde");
        assertThat(out).singleElement().isInstanceOf(StrictRequestDecoder.Rejected.class);
        assertThat(((StrictRequestDecoder.Rejected) out.get(0)).reason()).contains("Content-Length");
    }

    @Test
    void aBodyWithLinesStartingWithSpacesIsNotMistakenForFolding() {
        List<Object> out = decode("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nx\r\n yz\r\n\t",
                "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        List<String> uris = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (Object o : out) {
            assertThat(o).isNotInstanceOf(StrictRequestDecoder.Rejected.class);
            if (o instanceof HttpRequest r) {
                uris.add(r.uri());
            }
            if (o instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(uris).containsExactly("/a", "/b");
        assertThat(body.toString()).isEqualTo("x\r\n yz\r\n\t");
    }

    @Test
    void aFoldInTheSecondOfTwoPipelinedRequestsRejectsOnlyThatOne() {
        List<Object> out = decode("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n");
        assertThat(out).hasSize(3);
        assertThat(((HttpRequest) out.get(0)).uri()).isEqualTo("/a");
        assertThat(out.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(out.get(2)).isInstanceOf(StrictRequestDecoder.Rejected.class);
    }

    @Test
    void anOverlongHeaderBlockStillReachesNettysLimit() {
        List<Object> out = decode("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n");
        HttpRequest req = (HttpRequest) out.get(0);
        assertThat(req.decoderResult().isFailure()).isTrue();
        assertThat(req.decoderResult().cause()).isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void bareLfIsAnInvalidRequest() {
        List<Object> out = decode("GET / HTTP/1.1\nHost: a\r\n\r\n");
        assertThat(out).isNotEmpty();
        assertThat(((HttpRequest) out.get(0)).decoderResult().isFailure()).isTrue();
    }

    /**
     * nginx drops header fields whose names have '_' (underscores_in_headers off) or another character outside
     * letters, digits and '-' (ignore_invalid_headers on); HAProxy 2.6 forwards Transfer_Encoding and X_Foo as they
     * came. 08cb094 forwarded them too, so a server that maps '_' to '-' could frame the body by Transfer_Encoding.
     */
    @Test
    void headerNamesNginxCallsInvalidAreDropped() {
        List<Object> out = decode("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer_Encoding: chunked\r\n"
                + "X.Dot: 1\r\nX-Ok-9: 2\r\n\r\n");
        HttpRequest req = (HttpRequest) out.get(0);
        assertThat(req.decoderResult().isSuccess()).isTrue();
        assertThat(req.headers().names()).containsExactlyInAnyOrder("Host", "Content-Length", "X-Ok-9");
    }

    @Test
    void underscoresAreKeptWhenConfigured() {
        List<Object> out = decode(true, "GET / HTTP/1.1\r\nHost: a\r\nX_Foo: 1\r\nX.Dot: 1\r\n\r\n");
        assertThat(((HttpRequest) out.get(0)).headers().names()).containsExactlyInAnyOrder("Host", "X_Foo");
    }

    /** nginx and HAProxy answer "http/1.1" with 400; 08cb094 took it for HTTP/1.1. */
    @Test
    void aVersionNotSpelledHttpSlashDigitDotDigitIsRejected() {
        for (String version : List.of("http/1.1", "Http/1.1", "HTTP/1", "HTTP/11.1", "HTTP/1.1x")) {
            decoded.clear();
            List<Object> out = decode("GET / " + version + "\r\nHost: a\r\n\r\n");
            assertThat(out).as(version).singleElement().isInstanceOf(StrictRequestDecoder.Rejected.class);
            assertThat(((StrictRequestDecoder.Rejected) out.get(0)).reason()).contains("version");
            channel.finishAndReleaseAll();
        }
        decoded.clear();
        List<Object> out = decode("GET / HTTP/2.0\r\nHost: a\r\n\r\n");
        assertThat(((HttpRequest) out.get(0)).protocolVersion().majorVersion())
                .as("well-formed: refused later with 505, as nginx does").isEqualTo(2);
    }

    @Test
    void scanSeesAFoldOnlyAfterTheRequestLine() {
        assertThat(StrictRequestDecoder.scanHeaderBlock(Unpooled.copiedBuffer("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
                StandardCharsets.US_ASCII))).isEqualTo(1);
        assertThat(StrictRequestDecoder.scanHeaderBlock(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n",
                StandardCharsets.US_ASCII))).as("incomplete").isEqualTo(0);
        assertThat(StrictRequestDecoder.scanHeaderBlock(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n",
                StandardCharsets.US_ASCII))).isEqualTo(2);
    }
}
