package vipgate.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink message: the 16-byte nlmsghdr ({@code u32 len, u16 type, u16 flags, u32 seq, u32 port id}, host
 * byte order) and its payload (family header, then attributes). Immutable.
 */
public final class NetlinkMessage {
    public static final int HEADER_LENGTH = 16;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    /** In a dump reply: the set changed during the dump, its result may be inconsistent. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    /** In an NLMSG_ERROR: the original request was not echoed back (NETLINK_CAP_ACK). */
    public static final int NLM_F_CAPPED = 0x100;
    /** In an NLMSG_ERROR: extended-ACK attributes follow the echoed request (NETLINK_EXT_ACK). */
    public static final int NLM_F_ACK_TLVS = 0x200;
    /** Extended-ACK attribute: a human-readable error message from the kernel. */
    static final int NLMSGERR_ATTR_MSG = 1;

    private final int type;
    private final int flags;
    private final int seq;
    private final int portId;
    private final byte[] payload;

    public NetlinkMessage(int type, int flags, int seq, int portId, byte[] payload) {
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.portId = portId;
        this.payload = payload.clone();
    }

    /** Rounds up to the 4-byte alignment of messages and attributes (NLMSG_ALIGN / NLA_ALIGN). */
    public static int align(int length) {
        return (length + 3) & ~3;
    }

    /**
     * Splits one received datagram into its messages.
     *
     * @throws IllegalArgumentException when a header's length is below 16 or runs past the datagram
     */
    public static List<NetlinkMessage> parseAll(byte[] datagram, int length) {
        ByteBuffer buffer = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
        List<NetlinkMessage> messages = new ArrayList<>();
        while (buffer.remaining() >= HEADER_LENGTH) {
            int start = buffer.position();
            int messageLength = buffer.getInt();
            if (messageLength < HEADER_LENGTH || messageLength > length - start) {
                throw new IllegalArgumentException("malformed netlink message at offset " + start + ": length "
                        + messageLength + ", " + (length - start) + " bytes left");
            }
            int type = buffer.getShort() & 0xffff;
            int flags = buffer.getShort() & 0xffff;
            int seq = buffer.getInt();
            int portId = buffer.getInt();
            byte[] payload = new byte[messageLength - HEADER_LENGTH];
            buffer.get(payload);
            messages.add(new NetlinkMessage(type, flags, seq, portId, payload));
            buffer.position(Math.min(length, start + align(messageLength)));
        }
        return messages;
    }

    public byte[] encode() {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + payload.length).order(ByteOrder.nativeOrder());
        buffer.putInt(HEADER_LENGTH + payload.length).putShort((short) type).putShort((short) flags).putInt(seq)
                .putInt(portId).put(payload);
        return buffer.array();
    }

    /** The same message with another sequence number and flags: the socket stamps both when sending. */
    public NetlinkMessage with(int newSeq, int newFlags) {
        return new NetlinkMessage(type, newFlags, newSeq, portId, payload);
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public int seq() {
        return seq;
    }

    public int portId() {
        return portId;
    }

    /** A copy of everything after the nlmsghdr. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload as a read-only host-order buffer, to read a family header such as ifaddrmsg. */
    public ByteBuffer payloadBuffer() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** The attributes after a family header of {@code familyHeaderLength} bytes (padded to 4). */
    public Attributes attributes(int familyHeaderLength) {
        int offset = Math.min(payload.length, align(familyHeaderLength));
        return Attributes.parse(payload, offset, payload.length - offset);
    }

    public boolean isError() {
        return type == NLMSG_ERROR;
    }

    public boolean isDone() {
        return type == NLMSG_DONE;
    }

    /** For NLMSG_ERROR: 0 for an ACK, else the negative errno (e.g. -17 for EEXIST). */
    public int errorCode() {
        requireError();
        return payloadBuffer().getInt(0);
    }

    /** For NLMSG_ERROR: the kernel's extended-ACK message (NLMSGERR_ATTR_MSG), or null when it sent none. */
    public String extendedAckMessage() {
        requireError();
        if ((flags & NLM_F_ACK_TLVS) == 0 || payload.length < 4 + HEADER_LENGTH) {
            return null;
        }
        // After the error code comes the request's header, and its payload too unless NLM_F_CAPPED.
        int echoed = (flags & NLM_F_CAPPED) != 0 ? HEADER_LENGTH : align(payloadBuffer().getInt(4));
        int offset = 4 + echoed;
        if (offset > payload.length) {
            return null;
        }
        return Attributes.parse(payload, offset, payload.length - offset).find(NLMSGERR_ATTR_MSG)
                .map(Attribute::asString).orElse(null);
    }

    private void requireError() {
        if (!isError()) {
            throw new IllegalStateException("not an NLMSG_ERROR message: type " + type);
        }
    }

    @Override
    public String toString() {
        return "NetlinkMessage{type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + seq
                + ", " + payload.length + " payload bytes}";
    }
}
