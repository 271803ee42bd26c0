package vipgate.vrrp.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One VRRP advertisement (RFC 3768 v2, RFC 5798 v3) as keepalived 2.2.7 puts it on the wire: the IP payload
 * only; the socket edge adds or strips the IP header (protocol 112, TTL 255).
 *
 * <pre>
 *  byte 0   version &lt;&lt; 4 | type (1)       byte 1  VRID      byte 2  priority      byte 3  address count
 *  v2: byte 4 auth type, byte 5 advert interval (s)    v3: 4 reserved bits + 12-bit max advert interval (cs)
 *  bytes 6-7 checksum, then the addresses (4 or 16 bytes each), then (v2 only) 8 bytes of auth data
 * </pre>
 *
 * Immutable. The codec never throws on received bytes: {@link #decode} answers every input with a
 * {@link Decoded}.
 */
public final class VrrpPacket {
    public static final int IP_PROTOCOL = 112;
    public static final int TYPE_ADVERT = 1;
    public static final int HEADER_LENGTH = 8;
    public static final int AUTH_DATA_LENGTH = 8;
    /** The TTL / hop limit a multicast advert is sent with and must arrive with. */
    public static final int TTL = 255;
    /** The v3 interval field has 12 bits: at most 40.95 s. */
    public static final int MAX_V3_INTERVAL_CENTIS = 0xFFF;
    /** Where the checksum sits, also the IPV6_CHECKSUM socket option value. */
    public static final int CHECKSUM_OFFSET = 6;

    private final int version;
    private final int vrid;
    private final int priority;
    private final List<InetAddress> addresses;
    private final AuthType authType;
    private final byte[] authData;
    /** Seconds for v2, centiseconds for v3: the unit of the field on the wire. */
    private final int interval;

    private VrrpPacket(int version, int vrid, int priority, List<InetAddress> addresses, AuthType authType, byte[] authData,
            int interval) {
        this.version = version;
        this.vrid = vrid;
        this.priority = priority;
        this.addresses = addresses;
        this.authType = authType;
        this.authData = authData;
        this.interval = interval;
    }

    /**
     * A v2 advert. v2 is IPv4 only (keepalived refuses v2 with IPv6).
     *
     * @param password for {@link AuthType#PASS}; zero-padded or cut to 8 bytes as keepalived does
     */
    public static VrrpPacket v2(int vrid, int priority, int advertIntervalSeconds, AuthType authType, String password,
            List<InetAddress> addresses) {
        checkCommon(vrid, priority, addresses);
        if (advertIntervalSeconds < 1 || advertIntervalSeconds > 255) {
            throw new IllegalArgumentException("v2 advert interval is 1..255 s, got " + advertIntervalSeconds);
        }
        if (authType == AuthType.AH) {
            throw new IllegalArgumentException("AH authentication is not supported (keepalived 2.x removed it)");
        }
        if (!addresses.stream().allMatch(a -> a instanceof Inet4Address)) {
            throw new IllegalArgumentException("VRRP v2 carries IPv4 addresses only; use version 3 for IPv6");
        }
        return new VrrpPacket(2, vrid, priority, List.copyOf(addresses), authType, passwordBytes(authType, password),
                advertIntervalSeconds);
    }

    /** A v3 advert; the addresses are all IPv4 or all IPv6. */
    public static VrrpPacket v3(int vrid, int priority, int maxAdvertIntervalCentis, List<InetAddress> addresses) {
        checkCommon(vrid, priority, addresses);
        if (maxAdvertIntervalCentis < 1 || maxAdvertIntervalCentis > MAX_V3_INTERVAL_CENTIS) {
            throw new IllegalArgumentException("v3 advert interval is 1..4095 cs, got " + maxAdvertIntervalCentis);
        }
        return new VrrpPacket(3, vrid, priority, List.copyOf(addresses), AuthType.NONE, new byte[AUTH_DATA_LENGTH],
                maxAdvertIntervalCentis);
    }

    private static void checkCommon(int vrid, int priority, List<InetAddress> addresses) {
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID is 1..255, got " + vrid);
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority is 0..255, got " + priority);
        }
        if (addresses.size() > 255) {
            throw new IllegalArgumentException("at most 255 addresses fit in one advert, got " + addresses.size());
        }
        if (!addresses.isEmpty()) {
            Class<?> family = addresses.get(0).getClass();
            if (!addresses.stream().allMatch(a -> a.getClass() == family)) {
                throw new IllegalArgumentException("an advert carries addresses of one family, got " + addresses);
            }
        }
    }

    /** The 8 auth data bytes keepalived sends: the PASS password zero-padded or truncated, zeros otherwise. */
    public static byte[] passwordBytes(AuthType authType, String password) {
        byte[] out = new byte[AUTH_DATA_LENGTH];
        if (authType == AuthType.PASS) {
            byte[] p = password.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(p, 0, out, 0, Math.min(p.length, AUTH_DATA_LENGTH));
        }
        return out;
    }

    /** A copy with another priority: the same advert as "I am leaving" (0) or after tracking changed it. */
    public VrrpPacket withPriority(int newPriority) {
        checkCommon(vrid, newPriority, addresses);
        return new VrrpPacket(version, vrid, newPriority, addresses, authType, authData, interval);
    }

    public int version() {
        return version;
    }

    public int type() {
        return TYPE_ADVERT;
    }

    public int vrid() {
        return vrid;
    }

    public int priority() {
        return priority;
    }

    public List<InetAddress> addresses() {
        return addresses;
    }

    public boolean isIpv6() {
        return !addresses.isEmpty() && addresses.get(0) instanceof Inet6Address;
    }

    /** v2 only; {@link AuthType#NONE} for v3. */
    public AuthType authType() {
        return authType;
    }

    /** v2 only; zeros for v3. */
    public byte[] authData() {
        return authData.clone();
    }

    /** v2: the advert interval in whole seconds. Throws for v3, whose unit differs. */
    public int advertIntervalSeconds() {
        if (version != 2) {
            throw new IllegalStateException("v3 adverts carry centiseconds; use intervalCentis()");
        }
        return interval;
    }

    /** The advertised interval in centiseconds, whatever the version (v2 seconds x 100). */
    public int intervalCentis() {
        return version == 2 ? interval * 100 : interval;
    }

    /** Length on the wire for this many addresses: v2 IPv4 1 VIP = 40, v3 IPv4 1 VIP = 32. */
    public static int length(int version, int count, boolean ipv6) {
        return HEADER_LENGTH + count * (ipv6 ? 16 : 4) + (version == 2 ? AUTH_DATA_LENGTH : 0);
    }

    /**
     * The exact bytes to send, checksum included.
     *
     * @param source our address (the unicast source, or the interface's primary address); used by the v3 pseudo-header
     * @param destination the real destination: the multicast group, or this unicast peer (one packet per peer)
     * @param checksumMode {@link ChecksumMode#LEAVE_TO_KERNEL} leaves bytes 6-7 zero for an IPv6 socket with
     *        IPV6_CHECKSUM = 6; IPv4 sockets cannot do that, so it is refused for IPv4
     */
    public byte[] encode(InetAddress source, InetAddress destination, ChecksumMode checksumMode) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        boolean ipv6 = source instanceof Inet6Address;
        if (ipv6 != destination instanceof Inet6Address || (!addresses.isEmpty() && ipv6 != isIpv6())) {
            throw new IllegalArgumentException("source " + source.getHostAddress() + ", destination "
                    + destination.getHostAddress() + " and addresses " + addresses + " must be of one family");
        }
        if (checksumMode == ChecksumMode.LEAVE_TO_KERNEL && !ipv6) {
            throw new IllegalArgumentException("only IPv6 raw sockets compute checksums (IPV6_CHECKSUM); IPv4 needs COMPUTE");
        }
        if (version == 2 && ipv6) {
            throw new IllegalArgumentException("VRRP v2 runs over IPv4 only");
        }
        byte[] out = new byte[length(version, addresses.size(), ipv6)];
        out[0] = (byte) (version << 4 | TYPE_ADVERT);
        out[1] = (byte) vrid;
        out[2] = (byte) priority;
        out[3] = (byte) addresses.size();
        if (version == 2) {
            out[4] = (byte) authType.code();
            out[5] = (byte) interval;
        } else {
            out[4] = (byte) (interval >>> 8 & 0x0F);
            out[5] = (byte) interval;
        }
        int at = HEADER_LENGTH;
        for (InetAddress a : addresses) {
            byte[] raw = a.getAddress();
            System.arraycopy(raw, 0, out, at, raw.length);
            at += raw.length;
        }
        if (version == 2) {
            System.arraycopy(authData, 0, out, at, AUTH_DATA_LENGTH);
        }
        if (checksumMode == ChecksumMode.COMPUTE) {
            int sum = checksum(out, version, source, destination);
            out[CHECKSUM_OFFSET] = (byte) (sum >>> 8);
            out[CHECKSUM_OFFSET + 1] = (byte) sum;
        }
        return out;
    }

    /**
     * The checksum field for a message whose checksum bytes are zero; applied to a received message with
     * its checksum in place, the result is 0 when the checksum is right.
     */
    static int checksum(byte[] message, int version, InetAddress source, InetAddress destination) {
        InternetChecksum sum = new InternetChecksum();
        if (version == 3) {
            byte[] src = source.getAddress();
            byte[] dst = destination.getAddress();
            sum.add(src).add(dst);
            if (src.length == 4) {
                // RFC 5798 5.2.8 / RFC 768 pseudo-header: src, dst, zero, protocol, VRRP length (16 bits)
                sum.add(new byte[] {0, (byte) IP_PROTOCOL, (byte) (message.length >>> 8), (byte) message.length});
            } else {
                // RFC 8200 8.1: src, dst, upper-layer length (32 bits), three zeros, next header
                sum.add(new byte[] {0, 0, (byte) (message.length >>> 8), (byte) message.length, 0, 0, 0, (byte) IP_PROTOCOL});
            }
        }
        return sum.add(message).finish();
    }

    /** The VRID of a received payload, so the engine can pick the instance to decode for; -1 if too short. */
    public static int peekVrid(byte[] payload) {
        return payload != null && payload.length >= 2 ? payload[1] & 0xFF : -1;
    }

    /**
     * True when the payload names a VRID other than {@code vrid}: another router's business. A payload too short
     * to name one is not, so {@link #decode} counts it as {@link DropReason#TRUNCATED}.
     */
    public static boolean forAnotherVrid(byte[] payload, int vrid) {
        int named = peekVrid(payload);
        return named >= 0 && named != vrid;
    }

    /**
     * Validates a received payload the way keepalived does for one instance. Never throws.
     *
     * @param payload the IP payload (after the IPv4 header, or as an IPv6 raw socket delivers it)
     * @param source the IP source: the advertising router, compared on elections
     * @param destination the IP destination, to tell multicast from unicast and for the v3 pseudo-header
     * @param ttl the received TTL / hop limit
     * @param expect the receiving instance's settings
     */
    public static Decoded decode(byte[] payload, InetAddress source, InetAddress destination, int ttl, Expectation expect) {
        if (payload == null || source == null || destination == null || expect == null) {
            return drop(DropReason.TRUNCATED, "missing payload or addresses");
        }
        boolean ipv6 = source instanceof Inet6Address;
        if (payload.length < HEADER_LENGTH) {
            return drop(DropReason.TRUNCATED, payload.length + " bytes, a header needs 8");
        }
        int version = (payload[0] & 0xFF) >>> 4;
        int type = payload[0] & 0x0F;
        if (version != expect.version()) {
            return drop(DropReason.BAD_VERSION, "version " + version + ", configured " + expect.version());
        }
        if (version == 2 && ipv6) {
            return drop(DropReason.BAD_VERSION, "version 2 over IPv6");
        }
        if (type != TYPE_ADVERT) {
            return drop(DropReason.BAD_TYPE, "type " + type);
        }
        int count = payload[3] & 0xFF;
        int expectedLength = length(version, count, ipv6);
        if (payload.length < expectedLength) {
            return drop(DropReason.TRUNCATED, payload.length + " bytes, " + count + " addresses need " + expectedLength);
        }
        if (payload.length > expectedLength) {
            return drop(DropReason.BAD_LENGTH, payload.length + " bytes, " + count + " addresses need exactly " + expectedLength);
        }
        if (expect.multicast() && ttl != TTL) {
            return drop(DropReason.BAD_TTL, "TTL " + ttl + ", multicast adverts must arrive with 255");
        }
        if (destination.isMulticastAddress() != expect.multicast()) {
            return drop(DropReason.BAD_DESTINATION, "sent to " + destination.getHostAddress() + " but this instance is in "
                    + (expect.multicast() ? "multicast" : "unicast") + " mode");
        }
        boolean kernelChecked = ipv6 && expect.checksumMode() == ChecksumMode.LEAVE_TO_KERNEL;
        if (!kernelChecked && checksum(payload, version, source, destination) != 0) {
            int got = (payload[CHECKSUM_OFFSET] & 0xFF) << 8 | payload[CHECKSUM_OFFSET + 1] & 0xFF;
            byte[] zeroed = payload.clone();
            zeroed[CHECKSUM_OFFSET] = 0;
            zeroed[CHECKSUM_OFFSET + 1] = 0;
            return drop(DropReason.BAD_CHECKSUM, String.format("checksum 0x%04x, expected 0x%04x%s", got,
                    checksum(zeroed, version, source, destination),
                    version == 3 ? " (v3 sums a pseudo-header with destination " + destination.getHostAddress() + ")" : ""));
        }
        int vrid = payload[1] & 0xFF;
        int priority = payload[2] & 0xFF;
        int addressLength = ipv6 ? 16 : 4;
        List<InetAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            addresses.add(address(Arrays.copyOfRange(payload, HEADER_LENGTH + i * addressLength,
                    HEADER_LENGTH + (i + 1) * addressLength)));
        }
        AuthType authType = AuthType.NONE;
        byte[] authData = new byte[AUTH_DATA_LENGTH];
        int interval;
        if (version == 2) {
            authType = AuthType.ofCode(payload[4] & 0xFF);
            authData = Arrays.copyOfRange(payload, expectedLength - AUTH_DATA_LENGTH, expectedLength);
            if (authType != expect.authType()) {
                return drop(DropReason.BAD_AUTH, "auth type " + (payload[4] & 0xFF) + ", configured " + expect.authType());
            }
            if (authType == AuthType.AH) {
                return drop(DropReason.BAD_AUTH, "AH authentication is not supported");
            }
            if (authType == AuthType.PASS && !expect.authMatches(authData)) {
                return drop(DropReason.BAD_AUTH, "wrong password");
            }
            interval = payload[5] & 0xFF;
            if (interval != expect.advertIntervalSeconds()) {
                return drop(DropReason.BAD_ADVERT_INTERVAL, "advert interval " + interval + "s, configured "
                        + expect.advertIntervalSeconds() + "s");
            }
        } else {
            interval = (payload[4] & 0x0F) << 8 | payload[5] & 0xFF;
            if (interval == 0) {
                return drop(DropReason.BAD_ADVERT_INTERVAL, "max advert interval 0");
            }
        }
        Set<InetAddress> received = new HashSet<>(addresses);
        if (count != expect.addresses().size() || !received.equals(expect.addresses())) {
            return drop(DropReason.ADDRESS_MISMATCH, "advert carries " + addresses + ", configured " + expect.addresses());
        }
        return new Decoded.Accepted(new VrrpPacket(version, vrid, priority, List.copyOf(addresses), authType, authData, interval));
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
    }

    private static Decoded drop(DropReason reason, String detail) {
        return new Decoded.Dropped(reason, detail);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VrrpPacket p && version == p.version && vrid == p.vrid && priority == p.priority
                && interval == p.interval && authType == p.authType && Arrays.equals(authData, p.authData)
                && addresses.equals(p.addresses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, vrid, priority, interval, authType, addresses) * 31 + Arrays.hashCode(authData);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("VRRPv").append(version).append(" vrid ").append(vrid).append(" prio ")
                .append(priority).append(" interval ");
        b.append(version == 2 ? interval + "s auth " + authType : interval + "cs");
        return b.append(' ').append(addresses.stream().map(InetAddress::getHostAddress).toList()).toString();
    }
}
