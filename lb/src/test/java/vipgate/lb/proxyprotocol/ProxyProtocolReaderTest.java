package vipgate.lb.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProxyProtocolReaderTest {
    private final AtomicInteger refused = new AtomicInteger();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ProxyProtocolReader.install(ch.pipeline(), refused::incrementAndGet);
        return ch;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readAll(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readInbound()) != null;) {
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    @Test
    void aV1HeaderNamesTheSourceAndWhatFollowsPassesUnchanged() {
        EmbeddedChannel ch = channel();
        // split mid-header: the decoder waits for the rest
        ch.writeInbound(ascii("PROXY TCP4 203.0.113.9 192.0.2.80 5"));
        assertThat(ProxyProtocolReader.source(ch)).isNull();
        ch.writeInbound(ascii("1234 80\r\nGET / HTTP/1.1\r\n"));
        assertThat(ProxyProtocolReader.source(ch)).isEqualTo(new InetSocketAddress("203.0.113.9", 51234));
        ch.writeInbound(ascii("Host: a\r\n\r\n"));
        assertThat(readAll(ch)).isEqualTo("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(ch.pipeline().names()).doesNotContain("proxy-protocol", "proxy-protocol-decoder");
        assertThat(ch.isOpen()).isTrue();
        assertThat(refused).hasValue(0);
        ch.finishAndReleaseAll();
    }

    @Test
    void aV2HeaderOfIpv6NamesTheSource() {
        EmbeddedChannel ch = channel();
        // signature, v2 PROXY, TCP over IPv6, 36 address bytes: 2001:db8::1 port 443 -> 2001:db8::2 port 8443
        String header = "0d0a0d0a000d0a515549540a" + "21" + "21" + "0024"
                + "20010db8000000000000000000000001" + "20010db8000000000000000000000002" + "01bb" + "20fb";
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(HexFormat.of().parseHex(header)).writeBytes("GET /".getBytes(StandardCharsets.US_ASCII));
        ch.writeInbound(in);
        assertThat(ProxyProtocolReader.source(ch)).isEqualTo(new InetSocketAddress("2001:db8::1", 443));
        assertThat(readAll(ch)).isEqualTo("GET /");
        ch.finishAndReleaseAll();
    }

    @Test
    void aLocalHeaderLeavesTheConnectionItsOwnAddress() {
        EmbeddedChannel ch = channel();
        // v2 LOCAL (a health check from the balancer), no addresses
        ch.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000")));
        ch.writeInbound(ascii("GET /"));
        assertThat(ProxyProtocolReader.source(ch)).isNull();
        assertThat(readAll(ch)).isEqualTo("GET /");
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void aRequestWithoutAHeaderIsClosedAndCounted() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(readAll(ch)).isEmpty();
        assertThat(refused).hasValue(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aMalformedV1HeaderIsClosedAndCounted() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(ascii("PROXY TCP4 999.0.113.9 192.0.2.80 51234 80\r\nGET / HTTP/1.1\r\n\r\n"));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ProxyProtocolReader.source(ch)).isNull();
        assertThat(readAll(ch)).isEmpty();
        assertThat(refused).hasValue(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void anEndlessV1HeaderIsClosedAtItsLimit() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(ascii("PROXY TCP4 " + "1".repeat(200)));
        assertThat(ch.isOpen()).isFalse();
        assertThat(refused).hasValue(1);
        ch.finishAndReleaseAll();
    }
}
