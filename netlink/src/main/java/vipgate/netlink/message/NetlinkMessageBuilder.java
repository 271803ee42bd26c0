package vipgate.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds a request: type and flags, a family header (ifaddrmsg, genlmsghdr...), then attributes, possibly
 * nested with {@link #beginNest}/{@link #endNest}. The sequence number is left 0: {@code NetlinkSocket} stamps it.
 */
public final class NetlinkMessageBuilder {
    private final int type;
    private final int flags;
    private ByteBuffer payload = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final Deque<Integer> openNests = new ArrayDeque<>();
    private boolean hasAttributes;

    public NetlinkMessageBuilder(int type, int flags) {
        this.type = type;
        this.flags = flags;
    }

    /** The family header; must come before any attribute. Padded to 4. */
    public NetlinkMessageBuilder familyHeader(byte[] header) {
        if (hasAttributes || payload.position() > 0) {
            throw new IllegalStateException("the family header must be set once, before the attributes");
        }
        ensure(NetlinkMessage.align(header.length));
        payload.put(header);
        payload.position(NetlinkMessage.align(header.length));
        return this;
    }

    public NetlinkMessageBuilder add(Attribute attribute) {
        hasAttributes = true;
        ensure(attribute.encodedLength());
        attribute.writeTo(payload);
        return this;
    }

    public NetlinkMessageBuilder u8(int type, int value) {
        return add(Attribute.u8(type, value));
    }

    public NetlinkMessageBuilder u16(int type, int value) {
        return add(Attribute.u16(type, value));
    }

    public NetlinkMessageBuilder u32(int type, int value) {
        return add(Attribute.u32(type, value));
    }

    public NetlinkMessageBuilder u64(int type, long value) {
        return add(Attribute.u64(type, value));
    }

    public NetlinkMessageBuilder string(int type, String value) {
        return add(Attribute.string(type, value));
    }

    public NetlinkMessageBuilder bytes(int type, byte[] value) {
        return add(Attribute.bytes(type, value));
    }

    /** Opens a nested attribute (NLA_F_NESTED set); the attributes added until {@link #endNest} go inside. */
    public NetlinkMessageBuilder beginNest(int type) {
        hasAttributes = true;
        ensure(Attribute.HEADER_LENGTH);
        openNests.push(payload.position());
        payload.putShort((short) 0).putShort((short) (type | Attribute.NLA_F_NESTED));
        return this;
    }

    /** Closes the innermost open nest, writing its length. */
    public NetlinkMessageBuilder endNest() {
        if (openNests.isEmpty()) {
            throw new IllegalStateException("endNest without beginNest");
        }
        int start = openNests.pop();
        payload.putShort(start, (short) (payload.position() - start));
        return this;
    }

    public NetlinkMessage build() {
        if (!openNests.isEmpty()) {
            throw new IllegalStateException(openNests.size() + " nested attribute(s) not closed");
        }
        return new NetlinkMessage(type, flags, 0, 0, Arrays.copyOf(payload.array(), payload.position()));
    }

    private void ensure(int more) {
        if (payload.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(payload.capacity() * 2, payload.position() + more))
                    .order(ByteOrder.nativeOrder());
            bigger.put(payload.array(), 0, payload.position());
            payload = bigger;
        }
    }
}
