package vipgate.vrrp.wire;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one local instance accepts, i.e. keepalived's receive checks for it: the engine looks the instance up
 * by {@link VrrpPacket#peekVrid} and decodes with that instance's expectation.
 *
 * @param version 2 or 3
 * @param advertIntervalSeconds v2 only: an advert with another interval is dropped (RFC 3768 7.1); ignored for v3
 * @param authType v2 only
 * @param authData v2 only, the 8 bytes we send (see {@link VrrpPacket#passwordBytes})
 * @param addresses our virtual addresses: the advert must carry exactly these, in any order
 * @param multicast multicast mode checks TTL 255 and a multicast destination; unicast mode a unicast one
 * @param checksumMode {@link ChecksumMode#LEAVE_TO_KERNEL} when the IPv6 socket verifies checksums itself
 */
public record Expectation(int version, int advertIntervalSeconds, AuthType authType, byte[] authData,
        Set<InetAddress> addresses, boolean multicast, ChecksumMode checksumMode) {

    public Expectation {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("VRRP version must be 2 or 3, got " + version);
        }
        Objects.requireNonNull(authType, "authType");
        Objects.requireNonNull(checksumMode, "checksumMode");
        if (authData.length != VrrpPacket.AUTH_DATA_LENGTH) {
            throw new IllegalArgumentException("auth data is 8 bytes, got " + authData.length);
        }
        authData = authData.clone();
        addresses = Set.copyOf(addresses);
    }

    /** A v2 expectation; the auth data are derived from the password as the sender does. */
    public static Expectation v2(int advertIntervalSeconds, AuthType authType, String password, List<InetAddress> addresses,
            boolean multicast) {
        return new Expectation(2, advertIntervalSeconds, authType, VrrpPacket.passwordBytes(authType, password),
                Set.copyOf(addresses), multicast, ChecksumMode.COMPUTE);
    }

    public static Expectation v3(List<InetAddress> addresses, boolean multicast, ChecksumMode checksumMode) {
        return new Expectation(3, 0, AuthType.NONE, new byte[VrrpPacket.AUTH_DATA_LENGTH], Set.copyOf(addresses), multicast,
                checksumMode);
    }

    @Override
    public byte[] authData() {
        return authData.clone();
    }

    boolean authMatches(byte[] received) {
        return Arrays.equals(authData, received);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Expectation e && version == e.version && advertIntervalSeconds == e.advertIntervalSeconds
                && authType == e.authType && Arrays.equals(authData, e.authData) && addresses.equals(e.addresses)
                && multicast == e.multicast && checksumMode == e.checksumMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, advertIntervalSeconds, authType, Arrays.hashCode(authData), addresses, multicast, checksumMode);
    }

    @Override
    public String toString() {
        // the password stays out of logs
        return "Expectation[v" + version + ", interval " + advertIntervalSeconds + "s, auth " + authType + ", addresses "
                + addresses + (multicast ? ", multicast" : ", unicast") + ", checksum " + checksumMode + "]";
    }
}
