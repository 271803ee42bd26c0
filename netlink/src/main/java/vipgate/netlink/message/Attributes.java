package vipgate.netlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The attributes of one message (or of one nested attribute), in wire order. Immutable. */
public final class Attributes {
    private final List<Attribute> list;

    private Attributes(List<Attribute> list) {
        this.list = List.copyOf(list);
    }

    /**
     * Parses the attributes in {@code data[offset, offset + length)}.
     *
     * @throws IllegalArgumentException when an attribute's length runs past the end or is below 4
     */
    public static Attributes parse(byte[] data, int offset, int length) {
        ByteBuffer buffer = ByteBuffer.wrap(data, offset, length).order(ByteOrder.nativeOrder());
        List<Attribute> attributes = new ArrayList<>();
        while (buffer.remaining() >= Attribute.HEADER_LENGTH) {
            int start = buffer.position();
            int attrLength = buffer.getShort() & 0xffff;
            int type = buffer.getShort() & 0xffff;
            if (attrLength < Attribute.HEADER_LENGTH || attrLength > buffer.remaining() + Attribute.HEADER_LENGTH) {
                throw new IllegalArgumentException("malformed attribute at offset " + (start - offset)
                        + ": length " + attrLength + ", " + (buffer.remaining() + Attribute.HEADER_LENGTH)
                        + " bytes left");
            }
            byte[] value = new byte[attrLength - Attribute.HEADER_LENGTH];
            buffer.get(value);
            attributes.add(Attribute.bytes(type, value));
            // The last attribute may omit its padding.
            buffer.position(Math.min(buffer.limit(), start + NetlinkMessage.align(attrLength)));
        }
        return new Attributes(attributes);
    }

    public List<Attribute> list() {
        return list;
    }

    /** The first attribute of {@code type} (flags ignored). */
    public Optional<Attribute> find(int type) {
        return list.stream().filter(a -> a.type() == type).findFirst();
    }

    /** Every attribute of {@code type}, e.g. the entries of an array-like nest. */
    public List<Attribute> all(int type) {
        return list.stream().filter(a -> a.type() == type).toList();
    }

    @Override
    public String toString() {
        return list.toString();
    }
}
