package vipgate.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One netlink attribute (rtattr / nlattr: {@code u16 length, u16 type, value}, padded to 4 bytes on the wire).
 * Integers are in host byte order, as the kernel expects unless a family documents a field as big-endian (then
 * use {@link #bytes}). Immutable.
 */
public final class Attribute {
    /** Set in the type of an attribute whose value is itself a list of attributes. */
    public static final int NLA_F_NESTED = 0x8000;
    /** Set in the type of an attribute whose value is big-endian. */
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    /** The type without the two flag bits above. */
    public static final int NLA_TYPE_MASK = 0x3fff;
    static final int HEADER_LENGTH = 4;

    private final int type;
    private final byte[] value;

    private Attribute(int type, byte[] value) {
        if (type < 0 || type > 0xffff) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
        if (value.length + HEADER_LENGTH > 0xffff) {
            throw new IllegalArgumentException("attribute " + type + " too long: " + value.length + " bytes");
        }
        this.type = type;
        this.value = value;
    }

    public static Attribute bytes(int type, byte[] value) {
        return new Attribute(type, value.clone());
    }

    public static Attribute u8(int type, int value) {
        return new Attribute(type, new byte[] {(byte) value});
    }

    public static Attribute u16(int type, int value) {
        return new Attribute(type, host(2).putShort((short) value).array());
    }

    public static Attribute u32(int type, int value) {
        return new Attribute(type, host(4).putInt(value).array());
    }

    /** A 64-bit counter, e.g. IPVS's STATS64 values; the kernel pads these so they start 8-byte aligned. */
    public static Attribute u64(int type, long value) {
        return new Attribute(type, host(8).putLong(value).array());
    }

    /** A NUL-terminated string, as the kernel expects for names (NLA_NUL_STRING / NLA_STRING both accept it). */
    public static Attribute string(int type, String value) {
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        return new Attribute(type, Arrays.copyOf(text, text.length + 1));
    }

    /** A nested attribute: the children's encodings, with {@link #NLA_F_NESTED} set in the type. */
    public static Attribute nested(int type, Attribute... children) {
        int length = 0;
        for (Attribute child : children) {
            length += child.encodedLength();
        }
        ByteBuffer buffer = host(length);
        for (Attribute child : children) {
            child.writeTo(buffer);
        }
        return new Attribute(type | NLA_F_NESTED, buffer.array());
    }

    /** The type without the nested / byte-order flags. */
    public int type() {
        return type & NLA_TYPE_MASK;
    }

    /** The type as on the wire, flags included. */
    public int rawType() {
        return type;
    }

    public boolean isNested() {
        return (type & NLA_F_NESTED) != 0;
    }

    /** A copy of the value (without padding). */
    public byte[] bytes() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    public int asU8() {
        requireLength(1);
        return value[0] & 0xff;
    }

    public int asU16() {
        requireLength(2);
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getShort() & 0xffff;
    }

    public int asU32() {
        requireLength(4);
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    public long asU64() {
        requireLength(8);
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
    }

    /** The value up to its first NUL (or the whole value when there is none). */
    public String asString() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /**
     * The value parsed as attributes. Works whether or not the sender set {@link #NLA_F_NESTED}: older families
     * (rtnetlink, IPVS) do not.
     */
    public Attributes asNested() {
        return Attributes.parse(value, 0, value.length);
    }

    /** Header plus value plus padding to 4. */
    int encodedLength() {
        return NetlinkMessage.align(HEADER_LENGTH + value.length);
    }

    void writeTo(ByteBuffer buffer) {
        int start = buffer.position();
        buffer.putShort((short) (HEADER_LENGTH + value.length)).putShort((short) type).put(value);
        buffer.position(start + encodedLength());
    }

    private void requireLength(int expected) {
        if (value.length < expected) {
            throw new IllegalStateException("attribute " + type() + " has " + value.length + " bytes, expected "
                    + expected);
        }
    }

    private static ByteBuffer host(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    @Override
    public String toString() {
        return "Attribute{type=" + type() + (isNested() ? " nested" : "") + ", " + value.length + " bytes}";
    }
}
