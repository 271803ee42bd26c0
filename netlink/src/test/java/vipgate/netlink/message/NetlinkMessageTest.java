package vipgate.netlink.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkMessageTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void buildsHeaderFamilyHeaderAndPaddedAttributes() {
        NetlinkMessage message = new NetlinkMessageBuilder(20, 0x600)
                .familyHeader(new byte[] {2, 24, 0, 0, 3, 0, 0, 0})
                .bytes(2, new byte[] {10, 0, 0, 5})
                .string(3, "eth0:1")
                .build()
                .with(7, 0x605);

        // len 16+8+8+12 = 44 (0x2c), type 20, flags 0x605, seq 7, port 0; little-endian on x86
        assertThat(HEX.formatHex(message.encode())).isEqualTo(
                "2c000000" + "1400" + "0506" + "07000000" + "00000000"
                        + "0218000003000000"
                        + "0800" + "0200" + "0a000005"
                        + "0b00" + "0300" + "657468303a3100" + "00"); // "eth0:1\0" + 1 pad byte
    }

    @Test
    void nestsWriteTheirLengthAndTheNestedFlag() {
        NetlinkMessage message = new NetlinkMessageBuilder(16, 0)
                .beginNest(1).u32(2, 0x01020304).beginNest(3).u8(4, 9).endNest().endNest()
                .build();
        // outer: 4 + 8 (u32) + 4 + 8 (u8 padded) = 24
        assertThat(HEX.formatHex(message.payload())).isEqualTo(
                "1800" + "0180" + "0800" + "0200" + "04030201" + "0c00" + "0380" + "0500" + "0400" + "09000000");

        Attribute outer = message.attributes(0).find(1).orElseThrow();
        assertThat(outer.isNested()).isTrue();
        assertThat(outer.type()).isEqualTo(1);
        assertThat(outer.asNested().find(2).orElseThrow().asU32()).isEqualTo(0x01020304);
        assertThat(outer.asNested().find(3).orElseThrow().asNested().find(4).orElseThrow().asU8()).isEqualTo(9);
    }

    @Test
    void nestedAttributeFactoryEncodesLikeTheBuilder() {
        NetlinkMessage viaFactory = new NetlinkMessageBuilder(16, 0)
                .add(Attribute.nested(1, Attribute.u32(2, 0x01020304), Attribute.nested(3, Attribute.u8(4, 9))))
                .build();
        NetlinkMessage viaBuilder = new NetlinkMessageBuilder(16, 0)
                .beginNest(1).u32(2, 0x01020304).beginNest(3).u8(4, 9).endNest().endNest()
                .build();
        assertThat(viaFactory.encode()).isEqualTo(viaBuilder.encode());
    }

    @Test
    void refusesUnclosedNestsAndLateFamilyHeaders() {
        assertThatThrownBy(() -> new NetlinkMessageBuilder(16, 0).beginNest(1).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not closed");
        assertThatThrownBy(() -> new NetlinkMessageBuilder(16, 0).u8(1, 1).familyHeader(new byte[4]))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new NetlinkMessageBuilder(16, 0).endNest())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void growsPastItsInitialBuffer() {
        NetlinkMessageBuilder builder = new NetlinkMessageBuilder(16, 0);
        for (int i = 0; i < 100; i++) {
            builder.u32(1, i);
        }
        NetlinkMessage message = builder.build();
        assertThat(message.attributes(0).all(1)).hasSize(100);
        assertThat(message.attributes(0).all(1).get(99).asU32()).isEqualTo(99);
    }

    @Test
    void splitsADatagramIntoItsMessages() {
        byte[] first = new NetlinkMessageBuilder(16, 2).familyHeader(new byte[16]).string(3, "lo").build()
                .with(5, 2).encode();
        byte[] done = new NetlinkMessage(NetlinkMessage.NLMSG_DONE, 2, 5, 0, new byte[4]).encode();
        byte[] datagram = ByteBuffer.allocate(first.length + done.length + 10).put(first).put(done).array();

        List<NetlinkMessage> messages = NetlinkMessage.parseAll(datagram, first.length + done.length);

        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).type()).isEqualTo(16);
        assertThat(messages.get(0).seq()).isEqualTo(5);
        assertThat(messages.get(0).attributes(16).find(3).orElseThrow().asString()).isEqualTo("lo");
        assertThat(messages.get(1).isDone()).isTrue();
    }

    @Test
    void readsAcksAndErrorsWithExtendedAckMessage() {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS: error -17, echoed request header (16 bytes), NLMSGERR_ATTR_MSG.
        byte[] text = "Address already assigned\0".getBytes();
        ByteBuffer payload = ByteBuffer.allocate(4 + 16 + NetlinkMessage.align(4 + text.length))
                .order(ByteOrder.nativeOrder());
        payload.putInt(-17).putInt(44).putShort((short) 20).putShort((short) 0x605).putInt(7).putInt(0)
                .putShort((short) (4 + text.length)).putShort((short) 1).put(text);
        NetlinkMessage error = new NetlinkMessage(NetlinkMessage.NLMSG_ERROR, 0x300, 7, 0, payload.array());

        assertThat(error.isError()).isTrue();
        assertThat(error.errorCode()).isEqualTo(-17);
        assertThat(error.extendedAckMessage()).isEqualTo("Address already assigned");

        NetlinkMessage ack = new NetlinkMessage(NetlinkMessage.NLMSG_ERROR, 0x100, 7, 0, new byte[20]);
        assertThat(ack.errorCode()).isZero();
        assertThat(ack.extendedAckMessage()).isNull();
    }

    @Test
    void rejectsTruncatedMessagesAndAttributes() {
        byte[] message = new NetlinkMessageBuilder(16, 0).u32(1, 1).build().encode();
        assertThatThrownBy(() -> NetlinkMessage.parseAll(message, message.length - 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 24");
        byte[] badAttribute = {8, 0, 1, 0, 1, 2};
        assertThatThrownBy(() -> Attributes.parse(badAttribute, 0, badAttribute.length))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void attributeConvertersAndFlagsMasking() {
        Attribute raw = Attributes.parse(new byte[] {6, 0, 5, 0x40, 0x12, 0x34, 0, 0}, 0, 8).list().get(0);
        assertThat(raw.type()).isEqualTo(5);
        assertThat(raw.rawType()).isEqualTo(0x4005);
        assertThat(raw.bytes()).containsExactly(0x12, 0x34);
        assertThat(Attribute.u16(1, 0xbeef).asU16()).isEqualTo(0xbeef);
        assertThat(Attribute.string(1, "IPVS").bytes()).containsExactly('I', 'P', 'V', 'S', 0);
        assertThat(Attribute.bytes(1, "abc".getBytes()).asString()).isEqualTo("abc");
        assertThatThrownBy(() -> Attribute.u8(1, 1).asU32()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void u64IsEightHostOrderBytesAndReadsBackUnsignedBits() {
        byte[] encoded = new NetlinkMessageBuilder(16, 0).u64(3, 0x0102030405060708L).build().encode();
        // header 4 + value 8: already aligned, no padding
        assertThat(encoded).hasSize(NetlinkMessage.HEADER_LENGTH + 12);
        Attribute parsed = NetlinkMessage.parseAll(encoded, encoded.length).get(0).attributes(0).find(3).orElseThrow();
        assertThat(parsed.length()).isEqualTo(8);
        assertThat(parsed.asU64()).isEqualTo(0x0102030405060708L);
        assertThat(Attribute.u64(1, -1L).asU64()).isEqualTo(-1L);
        assertThatThrownBy(() -> Attribute.u32(1, 1).asU64()).isInstanceOf(IllegalStateException.class);
    }
}
