package vipgate.netlink.genl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import vipgate.netlink.NetlinkException;
import vipgate.netlink.NetlinkSocket;
import vipgate.netlink.libc.Errno;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.Attributes;
import vipgate.netlink.message.NetlinkMessage;
import vipgate.netlink.message.NetlinkMessageBuilder;

/**
 * Generic netlink (NETLINK_GENERIC): resolve a family by name, then send it commands. Every message carries a
 * 4-byte genlmsghdr ({@code u8 cmd, u8 version, u16 reserved}) before its attributes. Thread-safe: calls queue
 * on one socket, in the network namespace of the thread that called {@link #open}.
 */
public final class GenericNetlink implements AutoCloseable {
    static final int GENL_ID_CTRL = 16;
    static final int GENL_HEADER_LENGTH = 4;
    static final int GENL_NAMSIZ = 16;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_VERSION = 2;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final int CTRL_ATTR_VERSION = 3;
    static final int CTRL_ATTR_HDRSIZE = 4;
    static final int CTRL_ATTR_MAXATTR = 5;
    static final int CTRL_ATTR_MCAST_GROUPS = 7;
    static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    static final int CTRL_ATTR_MCAST_GRP_ID = 2;

    private final NetlinkSocket socket;

    private GenericNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    public static GenericNetlink open() throws IOException {
        return new GenericNetlink(NetlinkSocket.open(NetlinkSocket.NETLINK_GENERIC));
    }

    /**
     * Asks the controller for family {@code name} ("IPVS", "nlctrl"...).
     *
     * @throws FamilyNotFoundException when the kernel has no such family (ENOENT)
     * @throws IllegalArgumentException for a name longer than 15 bytes, which the kernel rejects with a bare EINVAL
     */
    public GenlFamily resolveFamily(String name) throws IOException {
        if (name.getBytes(StandardCharsets.UTF_8).length > GENL_NAMSIZ - 1) {
            throw new IllegalArgumentException("generic netlink family names have at most " + (GENL_NAMSIZ - 1)
                    + " bytes: \"" + name + "\"");
        }
        List<GenlMessage> replies;
        try {
            replies = request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_VERSION,
                    Attribute.string(CTRL_ATTR_FAMILY_NAME, name));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new FamilyNotFoundException(name, e.kernelMessage());
            }
            throw e;
        }
        if (replies.isEmpty()) {
            throw new IOException("CTRL_CMD_GETFAMILY " + name + ": the controller answered without a family");
        }
        return parseFamily(replies.get(0).attributes());
    }

    /** Sends command {@code command} to family {@code familyId} with NLM_F_ACK; returns the replies before the ACK. */
    public List<GenlMessage> request(int familyId, int command, int version, Attribute... attributes)
            throws IOException {
        NetlinkMessage message = message(familyId, command, version, attributes);
        return toGenl(socket.request(message, operation(familyId, command)));
    }

    /**
     * Sends {@code messages} (built by {@link #message}; changes the family answers with an ACK only) several
     * per datagram and waits for every ACK; see {@link NetlinkSocket#requestAll}.
     *
     * @throws vipgate.netlink.NetlinkBatchException for the first refused message, with its index
     */
    public void requestAll(List<NetlinkMessage> messages, IntFunction<String> operation) throws IOException {
        socket.requestAll(messages, operation);
    }

    /** Sends command {@code command} as a dump (NLM_F_DUMP) and returns every reply until NLMSG_DONE. */
    public List<GenlMessage> dump(int familyId, int command, int version, Attribute... attributes)
            throws IOException {
        NetlinkMessage message = message(familyId, command, version, attributes);
        return toGenl(socket.dump(message, operation(familyId, command) + " dump"));
    }

    @Override
    public void close() {
        socket.close();
    }

    /**
     * The message {@link #request} and {@link #dump} send, before the socket stamps flags and sequence number:
     * public so a family's codec can test its requests byte for byte.
     */
    public static NetlinkMessage message(int familyId, int command, int version, Attribute... attributes) {
        NetlinkMessageBuilder builder = new NetlinkMessageBuilder(familyId, 0)
                .familyHeader(new byte[] {(byte) command, (byte) version, 0, 0});
        for (Attribute attribute : attributes) {
            builder.add(attribute);
        }
        return builder.build();
    }

    static GenlFamily parseFamily(Attributes attributes) {
        Map<String, Integer> groups = new HashMap<>();
        attributes.find(CTRL_ATTR_MCAST_GROUPS).ifPresent(list -> {
            // An array: each entry is a nest whose type is its position, holding the group's name and id.
            for (Attribute entry : list.asNested().list()) {
                Attributes group = entry.asNested();
                groups.put(group.find(CTRL_ATTR_MCAST_GRP_NAME).map(Attribute::asString).orElse(""),
                        group.find(CTRL_ATTR_MCAST_GRP_ID).map(Attribute::asU32).orElse(0));
            }
        });
        return new GenlFamily(
                attributes.find(CTRL_ATTR_FAMILY_NAME).map(Attribute::asString).orElse(""),
                attributes.find(CTRL_ATTR_FAMILY_ID).map(Attribute::asU16).orElseThrow(
                        () -> new IllegalArgumentException("controller reply without CTRL_ATTR_FAMILY_ID")),
                attributes.find(CTRL_ATTR_VERSION).map(Attribute::asU32).orElse(0),
                attributes.find(CTRL_ATTR_HDRSIZE).map(Attribute::asU32).orElse(0),
                attributes.find(CTRL_ATTR_MAXATTR).map(Attribute::asU32).orElse(0),
                groups);
    }

    private static List<GenlMessage> toGenl(List<NetlinkMessage> replies) {
        List<GenlMessage> messages = new ArrayList<>();
        for (NetlinkMessage reply : replies) {
            ByteBuffer header = reply.payloadBuffer();
            messages.add(new GenlMessage(header.get(0) & 0xff, header.get(1) & 0xff,
                    reply.attributes(GENL_HEADER_LENGTH)));
        }
        return messages;
    }

    private static String operation(int familyId, int command) {
        return familyId == GENL_ID_CTRL ? "genl nlctrl command " + command
                : "genl family " + familyId + " command " + command;
    }
}
