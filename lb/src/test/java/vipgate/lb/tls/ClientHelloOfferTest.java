package vipgate.lb.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ClientHello fields the certificate choice reads, byte by byte, and what malformed hellos give. */
class ClientHelloOfferTest {

    /** A ClientHello body: version, random, session id, suites, compression, then the given extensions. */
    static ByteBuf hello(int[] suites, byte[]... extensions) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(0x0303).writeZero(32);
        b.writeByte(32).writeZero(32); // a session id, as TLS 1.3 clients send for middleboxes
        b.writeShort(suites.length * 2);
        for (int s : suites) {
            b.writeShort(s);
        }
        b.writeByte(1).writeByte(0);
        int length = 0;
        for (byte[] e : extensions) {
            length += e.length;
        }
        b.writeShort(length);
        for (byte[] e : extensions) {
            b.writeBytes(e);
        }
        return b;
    }

    /** An extension whose data is a 16-bit-length list of 16-bit values (signature_algorithms, supported_groups). */
    static byte[] list16(int type, int... values) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(type).writeShort(2 + values.length * 2).writeShort(values.length * 2);
        for (int v : values) {
            b.writeShort(v);
        }
        return bytes(b);
    }

    static byte[] supportedVersions(int... versions) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(43).writeShort(1 + versions.length * 2).writeByte(versions.length * 2);
        for (int v : versions) {
            b.writeShort(v);
        }
        return bytes(b);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    @Test
    void readsVersionsSuitesSchemesAndGroups() {
        ByteBuf body = hello(new int[] {0x1301, 0xC02B, 0xC02F}, list16(0, 0), supportedVersions(0x0304, 0x0303),
                list16(13, 0x0403, 0x0804), list16(10, 29, 23));
        ClientHelloOffer offer = ClientHelloOffer.parse(body);
        assertThat(offer).isEqualTo(new ClientHelloOffer(true, List.of(0x1301, 0xC02B, 0xC02F), List.of(0x0403, 0x0804),
                List.of(29, 23)));
        assertThat(body.readerIndex()).as("the buffer is only looked at").isZero();
        body.release();
    }

    @Test
    void aTls12HelloWithoutExtensionsHasNoSchemesOrGroups() {
        ByteBuf body = Unpooled.buffer().writeShort(0x0303).writeZero(32).writeByte(0).writeShort(2).writeShort(0xC02F)
                .writeByte(1).writeByte(0);
        assertThat(ClientHelloOffer.parse(body)).isEqualTo(new ClientHelloOffer(false, List.of(0xC02F), null, null));
        body.release();
    }

    @Test
    void malformedHellosGiveNull() {
        ByteBuf truncated = hello(new int[] {0xC02F}, list16(13, 0x0403));
        truncated.writerIndex(truncated.writerIndex() - 1);
        assertThat(ClientHelloOffer.parse(truncated)).isNull();
        truncated.release();
        // a suite list of odd length
        ByteBuf odd = Unpooled.buffer().writeShort(0x0303).writeZero(32).writeByte(0).writeShort(3).writeZero(3)
                .writeByte(1).writeByte(0);
        assertThat(ClientHelloOffer.parse(odd)).isNull();
        odd.release();
        // an extension claiming more than there is
        ByteBuf claims = hello(new int[] {0xC02F}, new byte[] {0, 13, (byte) 0xFF, (byte) 0xFF});
        assertThat(ClientHelloOffer.parse(claims)).isNull();
        claims.release();
        assertThat(ClientHelloOffer.parse(Unpooled.EMPTY_BUFFER)).isNull();
    }
}
