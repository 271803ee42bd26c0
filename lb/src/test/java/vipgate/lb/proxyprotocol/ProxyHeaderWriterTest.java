package vipgate.lb.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyHeaderWriterTest {
    /** What the connection sends before its first write, with the writer installed as the pool installs it. */
    private static ByteBuf firstBytes(ProxyHeader header) throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.attr(ProxyHeaderWriter.HEADER).set(header);
        ProxyHeaderWriter.installIfAsked(ch);
        ch.register();
        ch.writeOutbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.pipeline().names()).doesNotContain("proxy-protocol", "proxy-protocol-encoder");
        ByteBuf out = ch.readOutbound();
        ByteBuf request = ch.readOutbound();
        assertThat(request.toString(StandardCharsets.US_ASCII)).as("then what was written").isEqualTo("GET / HTTP/1.1\r\n\r\n");
        request.release();
        ch.writeOutbound(Unpooled.copiedBuffer("next", StandardCharsets.US_ASCII));
        ByteBuf next = ch.readOutbound();
        assertThat(next.toString(StandardCharsets.US_ASCII)).as("the header only once").isEqualTo("next");
        next.release();
        ch.finishAndReleaseAll();
        return out;
    }

    private static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    @Test
    void v1NamesTheClientAndTheAddressItReached() throws Exception {
        ByteBuf out = firstBytes(new ProxyHeader(HAProxyProtocolVersion.V1, at("203.0.113.9", 51234), at("192.0.2.80", 80)));
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 203.0.113.9 192.0.2.80 51234 80\r\n");
        out.release();
    }

    @Test
    void v2IsTheBinaryForm() throws Exception {
        ByteBuf out = firstBytes(new ProxyHeader(HAProxyProtocolVersion.V2, at("203.0.113.9", 51234), at("192.0.2.80", 80)));
        // signature, v2 PROXY, TCP over IPv4, 12 address bytes
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c"
                + "cb007109" + "c0000250" + "c822" + "0050");
        out.release();
    }

    @Test
    void anIpv4ClientOnADualStackSocketIsSentAsIpv4AndMixedFamiliesAsIpv6() throws Exception {
        ByteBuf mapped = firstBytes(new ProxyHeader(HAProxyProtocolVersion.V1, at("::ffff:203.0.113.9", 51234), at("192.0.2.80", 80)));
        assertThat(mapped.toString(StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 203.0.113.9 192.0.2.80 51234 80\r\n");
        mapped.release();
        ByteBuf mixed = firstBytes(new ProxyHeader(HAProxyProtocolVersion.V1, at("203.0.113.9", 51234), at("2001:db8::1", 80)));
        assertThat(mixed.toString(StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP6 ::ffff:203.0.113.9 2001:db8::1 51234 80\r\n");
        mixed.release();
    }

    @Test
    void connectionsOfDifferentClientsNeverShareAKey() throws Exception {
        ProxyHeader a = new ProxyHeader(HAProxyProtocolVersion.V1, at("203.0.113.9", 51234), at("192.0.2.80", 80));
        ProxyHeader b = new ProxyHeader(HAProxyProtocolVersion.V1, at("203.0.113.9", 51235), at("192.0.2.80", 80));
        assertThat(a.connectionKey()).isNotEqualTo(b.connectionKey())
                .isEqualTo(new ProxyHeader(HAProxyProtocolVersion.V1, at("203.0.113.9", 51234), at("192.0.2.80", 80)).connectionKey());
    }
}
