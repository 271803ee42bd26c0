package vipgate.ipvs.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.Attributes;

/**
 * IPVS's generic netlink messages: requests for every command, built the way keepalived's and ipvsadm's libipvs
 * build them (the full service on DEL_SERVICE and on every destination command, FLAGS with mask ~0, addresses
 * padded to 16 bytes, ports in network order), and the parsing of the kernel's replies. Pure: no socket here,
 * so every byte is unit-tested; {@link IpvsClient} only sends.
 */
public final class IpvsCodec {
    /** IPVS_GENL_NAME and IPVS_GENL_VERSION. */
    public static final String FAMILY = "IPVS";
    public static final int VERSION = 1;

    // IPVS_CMD_ATTR_*: top level
    static final int CMD_ATTR_SERVICE = 1;
    static final int CMD_ATTR_DEST = 2;
    static final int CMD_ATTR_DAEMON = 3;
    static final int CMD_ATTR_TIMEOUT_TCP = 4;
    static final int CMD_ATTR_TIMEOUT_TCP_FIN = 5;
    static final int CMD_ATTR_TIMEOUT_UDP = 6;
    // IPVS_SVC_ATTR_*
    static final int SVC_ATTR_AF = 1;
    static final int SVC_ATTR_PROTOCOL = 2;
    static final int SVC_ATTR_ADDR = 3;
    static final int SVC_ATTR_PORT = 4;
    static final int SVC_ATTR_FWMARK = 5;
    static final int SVC_ATTR_SCHED_NAME = 6;
    static final int SVC_ATTR_FLAGS = 7;
    static final int SVC_ATTR_TIMEOUT = 8;
    static final int SVC_ATTR_NETMASK = 9;
    static final int SVC_ATTR_STATS = 10;
    static final int SVC_ATTR_PE_NAME = 11;
    static final int SVC_ATTR_STATS64 = 12;
    // IPVS_DEST_ATTR_*
    static final int DEST_ATTR_ADDR = 1;
    static final int DEST_ATTR_PORT = 2;
    static final int DEST_ATTR_FWD_METHOD = 3;
    static final int DEST_ATTR_WEIGHT = 4;
    static final int DEST_ATTR_U_THRESH = 5;
    static final int DEST_ATTR_L_THRESH = 6;
    static final int DEST_ATTR_ACTIVE_CONNS = 7;
    static final int DEST_ATTR_INACT_CONNS = 8;
    static final int DEST_ATTR_PERSIST_CONNS = 9;
    static final int DEST_ATTR_STATS = 10;
    static final int DEST_ATTR_ADDR_FAMILY = 11;
    static final int DEST_ATTR_STATS64 = 12;
    static final int DEST_ATTR_TUN_TYPE = 13;
    static final int DEST_ATTR_TUN_PORT = 14;
    static final int DEST_ATTR_TUN_FLAGS = 15;
    // IPVS_DAEMON_ATTR_*
    static final int DAEMON_ATTR_STATE = 1;
    static final int DAEMON_ATTR_MCAST_IFN = 2;
    static final int DAEMON_ATTR_SYNC_ID = 3;
    static final int DAEMON_ATTR_SYNC_MAXLEN = 4;
    static final int DAEMON_ATTR_MCAST_GROUP = 5;
    static final int DAEMON_ATTR_MCAST_GROUP6 = 6;
    static final int DAEMON_ATTR_MCAST_PORT = 7;
    static final int DAEMON_ATTR_MCAST_TTL = 8;
    // IPVS_STATS_ATTR_*, in Stats' component order; 11 is padding before 64-bit values
    static final int STATS_ATTR_CONNS = 1;
    static final int STATS_ATTR_OUTBPS = 10;
    // IPVS_INFO_ATTR_*
    static final int INFO_ATTR_VERSION = 1;
    static final int INFO_ATTR_CONN_TAB_SIZE = 2;

    private IpvsCodec() {
    }

    // ---- services

    public static IpvsRequest newService(Service service) {
        return serviceCommand(Command.NEW_SERVICE, service);
    }

    /** Changes scheduler, flags, persistence and netmask of an existing service (identified by its key). */
    public static IpvsRequest setService(Service service) {
        return serviceCommand(Command.SET_SERVICE, service);
    }

    /** Deletes the service and its real servers; the full service is sent, as keepalived does (the kernel reads the key). */
    public static IpvsRequest deleteService(Service service) {
        return serviceCommand(Command.DEL_SERVICE, service);
    }

    /** A dump of every service; each reply is parsed by {@link #parseService}. */
    public static IpvsRequest dumpServices() {
        return IpvsRequest.plain(Command.GET_SERVICE);
    }

    /**
     * The kernel's version of {@code service}, one NEW_SERVICE reply (only its key is sent); ESRCH when the kernel
     * has no such service.
     */
    public static IpvsRequest getService(Service service) {
        return new IpvsRequest(Command.GET_SERVICE, List.of(serviceAttribute(service.key(), Optional.empty())),
                Optional.of(service), Optional.empty(), Optional.empty());
    }

    private static IpvsRequest serviceCommand(Command command, Service service) {
        return new IpvsRequest(command, List.of(serviceAttribute(service.key(), Optional.of(service))),
                Optional.of(service), Optional.empty(), Optional.empty());
    }

    // ---- destinations

    public static IpvsRequest newDestination(Service service, Destination destination) {
        return destinationCommand(Command.NEW_DEST, service, destination);
    }

    public static IpvsRequest setDestination(Service service, Destination destination) {
        return destinationCommand(Command.SET_DEST, service, destination);
    }

    public static IpvsRequest deleteDestination(Service service, Destination destination) {
        return destinationCommand(Command.DEL_DEST, service, destination);
    }

    /** A dump of one service's real servers (the kernel needs the service's key only); see {@link #parseDestination}. */
    public static IpvsRequest dumpDestinations(Service service) {
        return new IpvsRequest(Command.GET_DEST, List.of(serviceAttribute(service.key(), Optional.empty())),
                Optional.of(service), Optional.empty(), Optional.empty());
    }

    private static IpvsRequest destinationCommand(Command command, Service service, Destination destination) {
        return new IpvsRequest(command, List.of(serviceAttribute(service.key(), Optional.of(service)),
                destinationAttribute(destination)), Optional.of(service), Optional.of(destination), Optional.empty());
    }

    // ---- sync daemons, configuration, info

    public static IpvsRequest newDaemon(Daemon daemon) {
        List<Attribute> attributes = new ArrayList<>(List.of(
                Attribute.u32(DAEMON_ATTR_STATE, daemon.state().code()),
                Attribute.string(DAEMON_ATTR_MCAST_IFN, daemon.interfaceName()),
                Attribute.u32(DAEMON_ATTR_SYNC_ID, daemon.syncId())));
        // Optional ones only when set, as ipvsadm: older kernels (before 4.3) do not know them.
        if (daemon.maxLength() > 0) {
            attributes.add(Attribute.u16(DAEMON_ATTR_SYNC_MAXLEN, daemon.maxLength()));
        }
        if (daemon.port() > 0) {
            attributes.add(Attribute.u16(DAEMON_ATTR_MCAST_PORT, daemon.port())); // host order: the kernel htons it
        }
        if (daemon.ttl() > 0) {
            attributes.add(Attribute.u8(DAEMON_ATTR_MCAST_TTL, daemon.ttl()));
        }
        daemon.group().ifPresent(g -> attributes.add(g.getAddress().length == 4
                ? Attribute.bytes(DAEMON_ATTR_MCAST_GROUP, g.getAddress())
                : Attribute.bytes(DAEMON_ATTR_MCAST_GROUP6, g.getAddress())));
        return new IpvsRequest(Command.NEW_DAEMON, List.of(Attribute.nested(CMD_ATTR_DAEMON,
                attributes.toArray(Attribute[]::new))), Optional.empty(), Optional.empty(), Optional.of(daemon));
    }

    /** Stops the daemon in {@code daemon.state()}; interface and id are sent along as ipvsadm does, the kernel reads the state. */
    public static IpvsRequest deleteDaemon(Daemon daemon) {
        return new IpvsRequest(Command.DEL_DAEMON, List.of(Attribute.nested(CMD_ATTR_DAEMON,
                Attribute.u32(DAEMON_ATTR_STATE, daemon.state().code()),
                Attribute.string(DAEMON_ATTR_MCAST_IFN, daemon.interfaceName()),
                Attribute.u32(DAEMON_ATTR_SYNC_ID, daemon.syncId()))),
                Optional.empty(), Optional.empty(), Optional.of(daemon));
    }

    /** A dump of the running sync daemons (0, 1 or 2 replies); see {@link #parseDaemon}. */
    public static IpvsRequest dumpDaemons() {
        return IpvsRequest.plain(Command.GET_DAEMON);
    }

    /** Sets the connection timeouts; a 0 leaves that one unchanged. */
    public static IpvsRequest setTimeouts(Timeouts timeouts) {
        return IpvsRequest.plain(Command.SET_CONFIG,
                Attribute.u32(CMD_ATTR_TIMEOUT_TCP, timeouts.tcp()),
                Attribute.u32(CMD_ATTR_TIMEOUT_TCP_FIN, timeouts.tcpFin()),
                Attribute.u32(CMD_ATTR_TIMEOUT_UDP, timeouts.udp()));
    }

    public static IpvsRequest getTimeouts() {
        return IpvsRequest.plain(Command.GET_CONFIG);
    }

    public static IpvsRequest getInfo() {
        return IpvsRequest.plain(Command.GET_INFO);
    }

    /** Zeroes the counters of one service, or of every service when empty (ipvsadm -Z). */
    public static IpvsRequest zero(Optional<Service> service) {
        return service.map(s -> serviceCommand(Command.ZERO, s)).orElseGet(() -> IpvsRequest.plain(Command.ZERO));
    }

    /** Deletes every service of the namespace, including those vipgate does not own (ipvsadm -C). */
    public static IpvsRequest flush() {
        return IpvsRequest.plain(Command.FLUSH);
    }

    // ---- attribute encoding

    /** The SERVICE nest: the key, then (when {@code full} is present) scheduler, flags, timeout and netmask. */
    static Attribute serviceAttribute(ServiceKey key, Optional<Service> full) {
        List<Attribute> a = new ArrayList<>();
        a.add(Attribute.u16(SVC_ATTR_AF, key.family().code()));
        if (key instanceof ServiceKey.Fwmark f) {
            a.add(Attribute.u32(SVC_ATTR_FWMARK, f.mark()));
        } else {
            ServiceKey.Address s = (ServiceKey.Address) key;
            a.add(Attribute.u16(SVC_ATTR_PROTOCOL, s.protocol().number()));
            a.add(Attribute.bytes(SVC_ATTR_ADDR, Addresses.toWire(s.address())));
            a.add(Attribute.bytes(SVC_ATTR_PORT, networkU16(s.port())));
        }
        full.ifPresent(s -> {
            a.add(Attribute.string(SVC_ATTR_SCHED_NAME, s.scheduler()));
            if (!s.persistenceEngine().isEmpty()) {
                a.add(Attribute.string(SVC_ATTR_PE_NAME, s.persistenceEngine()));
            }
            // struct ip_vs_flags { u32 flags; u32 mask; }: mask ~0 sets every flag to the given value
            a.add(Attribute.bytes(SVC_ATTR_FLAGS, host(8).putInt(s.flags()).putInt(0xffffffff).array()));
            a.add(Attribute.u32(SVC_ATTR_TIMEOUT, s.timeout()));
            a.add(netmaskAttribute(key.family(), s.netmask()));
        });
        return Attribute.nested(CMD_ATTR_SERVICE, a.toArray(Attribute[]::new));
    }

    /**
     * The kernel keeps the netmask as a __be32 it ANDs with network-order IPv4 addresses, so an IPv4 mask travels
     * in network order; for IPv6 the same field holds a plain prefix length, in host order (as ipvsadm sends it).
     */
    private static Attribute netmaskAttribute(AddressFamily family, int netmask) {
        return family == AddressFamily.INET
                ? Attribute.bytes(SVC_ATTR_NETMASK, ByteBuffer.allocate(4).putInt(netmask).array())
                : Attribute.u32(SVC_ATTR_NETMASK, netmask);
    }

    /** The DEST nest, always complete: NEW, SET and DEL_DEST all carry every field, as keepalived and ipvsadm send them. */
    static Attribute destinationAttribute(Destination d) {
        List<Attribute> a = new ArrayList<>();
        a.add(Attribute.u16(DEST_ATTR_ADDR_FAMILY, d.family().code()));
        a.add(Attribute.bytes(DEST_ATTR_ADDR, Addresses.toWire(d.address())));
        a.add(Attribute.bytes(DEST_ATTR_PORT, networkU16(d.port())));
        a.add(Attribute.u32(DEST_ATTR_FWD_METHOD, d.forwarding().code()));
        a.add(Attribute.u32(DEST_ATTR_WEIGHT, d.weight()));
        if (d.forwarding() == Forwarding.TUNNEL) {
            // Only for tunnels: kernels before 5.3 do not know these, and they default to ipip / 0 / nocsum.
            a.add(Attribute.u8(DEST_ATTR_TUN_TYPE, d.tunnel().type().code()));
            a.add(Attribute.bytes(DEST_ATTR_TUN_PORT, networkU16(d.tunnel().port())));
            a.add(Attribute.u16(DEST_ATTR_TUN_FLAGS, d.tunnel().checksum().code()));
        }
        a.add(Attribute.u32(DEST_ATTR_U_THRESH, d.upperThreshold()));
        a.add(Attribute.u32(DEST_ATTR_L_THRESH, d.lowerThreshold()));
        return Attribute.nested(CMD_ATTR_DEST, a.toArray(Attribute[]::new));
    }

    // ---- reply parsing

    /** One reply of a service dump (the kernel answers GET_SERVICE with NEW_SERVICE messages). */
    public static ServiceEntry parseService(Attributes reply) {
        Attributes s = nest(reply, CMD_ATTR_SERVICE, "SERVICE");
        AddressFamily family = AddressFamily.fromCode(required(s, SVC_ATTR_AF, "SVC_ATTR_AF").asU16());
        int fwmark = s.find(SVC_ATTR_FWMARK).map(Attribute::asU32).orElse(0);
        ServiceKey key;
        if (fwmark != 0) {
            key = ServiceKey.fwmark(fwmark, family);
        } else {
            key = ServiceKey.of(Protocol.fromNumber(required(s, SVC_ATTR_PROTOCOL, "SVC_ATTR_PROTOCOL").asU16()),
                    Addresses.fromWire(required(s, SVC_ATTR_ADDR, "SVC_ATTR_ADDR").bytes(), family),
                    fromNetworkU16(required(s, SVC_ATTR_PORT, "SVC_ATTR_PORT")));
        }
        byte[] flags = required(s, SVC_ATTR_FLAGS, "SVC_ATTR_FLAGS").bytes();
        if (flags.length < 4) {
            throw new IllegalArgumentException("SVC_ATTR_FLAGS of " + flags.length + " bytes");
        }
        byte[] mask = required(s, SVC_ATTR_NETMASK, "SVC_ATTR_NETMASK").bytes();
        int netmask = family == AddressFamily.INET ? ByteBuffer.wrap(mask).getInt() : hostBuffer(mask).getInt();
        Service service = new Service(key,
                required(s, SVC_ATTR_SCHED_NAME, "SVC_ATTR_SCHED_NAME").asString(),
                hostBuffer(flags).getInt() & Service.USER_FLAGS,
                required(s, SVC_ATTR_TIMEOUT, "SVC_ATTR_TIMEOUT").asU32(),
                netmask,
                s.find(SVC_ATTR_PE_NAME).map(Attribute::asString).orElse(""));
        return new ServiceEntry(service, stats(s, SVC_ATTR_STATS64, SVC_ATTR_STATS));
    }

    /**
     * One reply of a destination dump.
     *
     * @param serviceFamily used when the kernel predates DEST_ATTR_ADDR_FAMILY (before 4.3: same family as the service)
     */
    public static DestinationEntry parseDestination(Attributes reply, AddressFamily serviceFamily) {
        Attributes d = nest(reply, CMD_ATTR_DEST, "DEST");
        AddressFamily family = d.find(DEST_ATTR_ADDR_FAMILY).map(a -> AddressFamily.fromCode(a.asU16()))
                .orElse(serviceFamily);
        Forwarding forwarding = Forwarding.fromCode(required(d, DEST_ATTR_FWD_METHOD, "DEST_ATTR_FWD_METHOD").asU32() & 0x7);
        Tunnel tunnel = Tunnel.IPIP;
        if (forwarding == Forwarding.TUNNEL && d.find(DEST_ATTR_TUN_TYPE).isPresent()) {
            tunnel = new Tunnel(Tunnel.Type.fromCode(d.find(DEST_ATTR_TUN_TYPE).get().asU8()),
                    d.find(DEST_ATTR_TUN_PORT).map(IpvsCodec::fromNetworkU16).orElse(0),
                    Tunnel.Checksum.fromCode(d.find(DEST_ATTR_TUN_FLAGS).map(Attribute::asU16).orElse(0)));
        }
        Destination destination = new Destination(
                Addresses.fromWire(required(d, DEST_ATTR_ADDR, "DEST_ATTR_ADDR").bytes(), family),
                fromNetworkU16(required(d, DEST_ATTR_PORT, "DEST_ATTR_PORT")),
                forwarding,
                required(d, DEST_ATTR_WEIGHT, "DEST_ATTR_WEIGHT").asU32(),
                d.find(DEST_ATTR_U_THRESH).map(Attribute::asU32).orElse(0),
                d.find(DEST_ATTR_L_THRESH).map(Attribute::asU32).orElse(0),
                tunnel);
        return new DestinationEntry(destination,
                d.find(DEST_ATTR_ACTIVE_CONNS).map(Attribute::asU32).orElse(0),
                d.find(DEST_ATTR_INACT_CONNS).map(Attribute::asU32).orElse(0),
                d.find(DEST_ATTR_PERSIST_CONNS).map(Attribute::asU32).orElse(0),
                stats(d, DEST_ATTR_STATS64, DEST_ATTR_STATS));
    }

    /** One reply of a daemon dump. */
    public static Daemon parseDaemon(Attributes reply) {
        Attributes d = nest(reply, CMD_ATTR_DAEMON, "DAEMON");
        Optional<InetAddress> group = d.find(DAEMON_ATTR_MCAST_GROUP6)
                .map(a -> Addresses.fromWire(a.bytes(), AddressFamily.INET6))
                .or(() -> d.find(DAEMON_ATTR_MCAST_GROUP).map(a -> Addresses.fromWire(a.bytes(), AddressFamily.INET)));
        return new Daemon(Daemon.State.fromCode(required(d, DAEMON_ATTR_STATE, "DAEMON_ATTR_STATE").asU32()),
                required(d, DAEMON_ATTR_MCAST_IFN, "DAEMON_ATTR_MCAST_IFN").asString(),
                required(d, DAEMON_ATTR_SYNC_ID, "DAEMON_ATTR_SYNC_ID").asU32(),
                d.find(DAEMON_ATTR_SYNC_MAXLEN).map(Attribute::asU16).orElse(0),
                group,
                d.find(DAEMON_ATTR_MCAST_PORT).map(Attribute::asU16).orElse(0),
                d.find(DAEMON_ATTR_MCAST_TTL).map(Attribute::asU8).orElse(0));
    }

    /** The reply to GET_CONFIG. */
    public static Timeouts parseTimeouts(Attributes reply) {
        return new Timeouts(reply.find(CMD_ATTR_TIMEOUT_TCP).map(Attribute::asU32).orElse(0),
                reply.find(CMD_ATTR_TIMEOUT_TCP_FIN).map(Attribute::asU32).orElse(0),
                reply.find(CMD_ATTR_TIMEOUT_UDP).map(Attribute::asU32).orElse(0));
    }

    /** The reply to GET_INFO. */
    public static Info parseInfo(Attributes reply) {
        return new Info(required(reply, INFO_ATTR_VERSION, "INFO_ATTR_VERSION").asU32(),
                required(reply, INFO_ATTR_CONN_TAB_SIZE, "INFO_ATTR_CONN_TAB_SIZE").asU32());
    }

    /**
     * STATS64 when the kernel sends it (4.7+), else the older STATS whose packet and connection counters are
     * 32 bits (and wrap).
     */
    private static Stats stats(Attributes parent, int stats64Type, int statsType) {
        Optional<Attribute> nest = parent.find(stats64Type).or(() -> parent.find(statsType));
        if (nest.isEmpty()) {
            return Stats.ZERO;
        }
        Attributes s = nest.get().asNested();
        long[] v = new long[STATS_ATTR_OUTBPS];
        for (int type = STATS_ATTR_CONNS; type <= STATS_ATTR_OUTBPS; type++) {
            v[type - 1] = s.find(type).map(a -> a.length() >= 8 ? a.asU64() : Integer.toUnsignedLong(a.asU32())).orElse(0L);
        }
        return new Stats(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    private static Attributes nest(Attributes reply, int type, String name) {
        return required(reply, type, "IPVS_CMD_ATTR_" + name).asNested();
    }

    private static Attribute required(Attributes attributes, int type, String name) {
        return attributes.find(type).orElseThrow(() -> new IllegalArgumentException("IPVS reply without " + name));
    }

    private static byte[] networkU16(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    private static int fromNetworkU16(Attribute attribute) {
        byte[] b = attribute.bytes();
        if (b.length < 2) {
            throw new IllegalArgumentException("port attribute of " + b.length + " bytes");
        }
        return ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    }

    private static ByteBuffer host(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer hostBuffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
}
