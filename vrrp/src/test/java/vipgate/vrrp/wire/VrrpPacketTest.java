package vipgate.vrrp.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class VrrpPacketTest {
    static final InetAddress VIP = ip("192.168.16.130");
    static final InetAddress MASTER = ip("192.168.16.128");
    static final InetAddress GROUP = ip("224.0.0.18");
    static final InetAddress GROUP6 = ip("ff02::12");
    static final Expectation SEED_000 = Expectation.v2(1, AuthType.PASS, "1111", List.of(VIP), true);

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    /** Seed 000's advert: vrid 66, priority 100, advert_int 1, auth PASS 1111, VIP 192.168.16.130. */
    static byte[] seed000Advert() {
        return VrrpPacket.v2(66, 100, 1, AuthType.PASS, "1111", List.of(VIP)).encode(MASTER, GROUP, ChecksumMode.COMPUTE);
    }

    @Test
    void v2PassAdvertOfSeed000HasExactBytes() {
        // 16-bit words: 2142 6401 0101 (checksum 0000) c0a8 1082 3131 3131 0000 0000
        // sum 0x1b9d0 -> folded 0xb9d1 -> complement 0x462e
        assertThat(HexFormat.of().formatHex(seed000Advert()))
                .isEqualTo("21" + "42" + "64" + "01" + "01" + "01" + "462e" + "c0a81082" + "3131313100000000");
        // 20 bytes of VRRP + a 20-byte IPv4 header = the 40 bytes keepalived puts on the wire
        assertThat(seed000Advert()).hasSize(20);
        assertThat(VrrpPacket.length(2, 1, false) + 20).isEqualTo(40);
    }

    @Test
    void v3AdvertChecksumCoversThePseudoHeaderWithTheRealDestination() {
        VrrpPacket p = VrrpPacket.v3(51, 100, 100, List.of(ip("192.168.64.50")));
        InetAddress src = ip("192.168.64.133");
        // pseudo-header c0a8 4085 | e000 0012 | 0070 000c, then 3133 6401 0064 0000 c0a8 4032
        assertThat(HexFormat.of().formatHex(p.encode(src, GROUP, ChecksumMode.COMPUTE))).isEqualTo("3133640100" + "64" + "87cf" + "c0a84032");
        // unicast: the peer is the destination of the pseudo-header (keepalived >= 2.0; old ones used the group)
        assertThat(HexFormat.of().formatHex(p.encode(src, ip("192.168.64.130"), ChecksumMode.COMPUTE)))
                .isEqualTo("31336401006466b7c0a84032");
        assertThat(VrrpPacket.length(3, 1, false) + 20).isEqualTo(32);
    }

    @Test
    void v3Ipv6ChecksumIsComputedOrLeftToTheKernel() {
        VrrpPacket p = VrrpPacket.v3(1, 100, 100, List.of(ip("fd00::50")));
        assertThat(HexFormat.of().formatHex(p.encode(ip("fe80::1"), GROUP6, ChecksumMode.COMPUTE)))
                .isEqualTo("3101640100646f29fd000000000000000000000000000050");
        assertThat(HexFormat.of().formatHex(p.encode(ip("fe80::1"), GROUP6, ChecksumMode.LEAVE_TO_KERNEL)))
                .isEqualTo("310164010064" + "0000" + "fd000000000000000000000000000050");
        assertThatThrownBy(() -> VrrpPacket.v3(1, 100, 100, List.of(VIP)).encode(MASTER, GROUP, ChecksumMode.LEAVE_TO_KERNEL))
                .hasMessageContaining("IPv4 needs COMPUTE");
    }

    @Test
    void v3IntervalUsesTwelveBitsAfterFourReservedBits() {
        byte[] b = VrrpPacket.v3(7, 200, 4095, List.of(VIP)).encode(MASTER, GROUP, ChecksumMode.COMPUTE);
        assertThat(b[4]).isEqualTo((byte) 0x0F);
        assertThat(b[5]).isEqualTo((byte) 0xFF);
        assertThatThrownBy(() -> VrrpPacket.v3(7, 200, 4096, List.of(VIP))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void passwordIsZeroPaddedOrCutToEightBytes() {
        assertThat(VrrpPacket.passwordBytes(AuthType.PASS, "1111")).isEqualTo(hex("3131313100000000"));
        assertThat(VrrpPacket.passwordBytes(AuthType.PASS, "123456789")).isEqualTo("12345678".getBytes());
        assertThat(VrrpPacket.passwordBytes(AuthType.NONE, "ignored")).isEqualTo(new byte[8]);
    }

    @Test
    void roundTripsV2AndV3AndIpv6() {
        VrrpPacket v2 = VrrpPacket.v2(66, 100, 1, AuthType.PASS, "1111", List.of(VIP));
        assertThat(accepted(VrrpPacket.decode(seed000Advert(), MASTER, GROUP, 255, SEED_000))).isEqualTo(v2);

        List<InetAddress> vips = List.of(ip("172.16.249.80"), ip("172.16.249.90"), ip("172.16.249.100"));
        VrrpPacket v3 = VrrpPacket.v3(51, 150, 25, vips);
        Expectation e3 = Expectation.v3(List.of(vips.get(2), vips.get(0), vips.get(1)), true, ChecksumMode.COMPUTE);
        VrrpPacket back = accepted(VrrpPacket.decode(v3.encode(MASTER, GROUP, ChecksumMode.COMPUTE), MASTER, GROUP, 255, e3));
        assertThat(back).isEqualTo(v3);
        assertThat(back.intervalCentis()).isEqualTo(25);
        assertThat(back.priority()).isEqualTo(150);

        VrrpPacket v6 = VrrpPacket.v3(9, 0, 100, List.of(ip("fd00::50"), ip("fd00::51")));
        Expectation e6 = Expectation.v3(v6.addresses(), true, ChecksumMode.COMPUTE);
        assertThat(accepted(VrrpPacket.decode(v6.encode(ip("fe80::2"), GROUP6, ChecksumMode.COMPUTE), ip("fe80::2"), GROUP6,
                255, e6))).isEqualTo(v6);
        // the kernel verified it: a zero checksum is accepted
        Expectation kernel = Expectation.v3(v6.addresses(), true, ChecksumMode.LEAVE_TO_KERNEL);
        assertThat(accepted(VrrpPacket.decode(v6.encode(ip("fe80::2"), GROUP6, ChecksumMode.LEAVE_TO_KERNEL), ip("fe80::2"),
                GROUP6, 255, kernel))).isEqualTo(v6);
    }

    @Test
    void unicastAdvertsNeedNoTtl255() {
        Expectation unicast = Expectation.v2(1, AuthType.PASS, "1111", List.of(VIP), false);
        byte[] b = VrrpPacket.v2(66, 100, 1, AuthType.PASS, "1111", List.of(VIP)).encode(MASTER, ip("192.168.16.129"),
                ChecksumMode.COMPUTE);
        assertThat(VrrpPacket.decode(b, MASTER, ip("192.168.16.129"), 63, unicast)).isInstanceOf(Decoded.Accepted.class);
    }

    @Test
    void everyDropReason() {
        byte[] good = seed000Advert();
        assertThat(reason(new byte[5], SEED_000)).isEqualTo(DropReason.TRUNCATED);
        assertThat(reason(java.util.Arrays.copyOf(good, 19), SEED_000)).isEqualTo(DropReason.TRUNCATED);
        assertThat(reason(java.util.Arrays.copyOf(good, 24), SEED_000)).isEqualTo(DropReason.BAD_LENGTH);
        assertThat(reason(good, Expectation.v3(List.of(VIP), true, ChecksumMode.COMPUTE))).isEqualTo(DropReason.BAD_VERSION);
        assertThat(reason(patch(good, 0, 0x22), SEED_000)).isEqualTo(DropReason.BAD_TYPE);
        assertThat(reason(patch(good, 7, good[7] ^ 1), SEED_000)).isEqualTo(DropReason.BAD_CHECKSUM);
        assertThat(VrrpPacket.decode(good, MASTER, GROUP, 64, SEED_000)).isEqualTo(
                new Decoded.Dropped(DropReason.BAD_TTL, "TTL 64, multicast adverts must arrive with 255"));
        assertThat(((Decoded.Dropped) VrrpPacket.decode(good, MASTER, ip("192.168.16.129"), 255, SEED_000)).reason())
                .isEqualTo(DropReason.BAD_DESTINATION);
        assertThat(reason(good, Expectation.v2(1, AuthType.PASS, "2222", List.of(VIP), true))).isEqualTo(DropReason.BAD_AUTH);
        assertThat(reason(good, Expectation.v2(1, AuthType.NONE, "", List.of(VIP), true))).isEqualTo(DropReason.BAD_AUTH);
        assertThat(reason(withChecksum(patch(good, 4, 2)), Expectation.v2(1, AuthType.AH, "", List.of(VIP), true)))
                .isEqualTo(DropReason.BAD_AUTH);
        assertThat(reason(good, Expectation.v2(2, AuthType.PASS, "1111", List.of(VIP), true)))
                .isEqualTo(DropReason.BAD_ADVERT_INTERVAL);
        assertThat(reason(good, Expectation.v2(1, AuthType.PASS, "1111", List.of(ip("192.168.16.131")), true)))
                .isEqualTo(DropReason.ADDRESS_MISMATCH);
        assertThat(reason(good, Expectation.v2(1, AuthType.PASS, "1111", List.of(VIP, ip("192.168.16.131")), true)))
                .isEqualTo(DropReason.ADDRESS_MISMATCH);
        byte[] v3zero = withChecksum3(hex("310164010000" + "0000" + "c0a81082"));
        assertThat(reason(v3zero, Expectation.v3(List.of(VIP), true, ChecksumMode.COMPUTE)))
                .isEqualTo(DropReason.BAD_ADVERT_INTERVAL);
        // v2 over IPv6 does not exist
        byte[] v2over6 = hex("2101640101010000" + "fd000000000000000000000000000050" + "0000000000000000");
        assertThat(((Decoded.Dropped) VrrpPacket.decode(v2over6, ip("fe80::1"), GROUP6, 255,
                Expectation.v2(1, AuthType.NONE, "", List.of(), true))).reason()).isEqualTo(DropReason.BAD_VERSION);
        assertThat(VrrpPacket.decode(null, MASTER, GROUP, 255, SEED_000)).isInstanceOf(Decoded.Dropped.class);
    }

    @Test
    void peekVridFindsTheInstanceToDecodeFor() {
        assertThat(VrrpPacket.peekVrid(seed000Advert())).isEqualTo(66);
        assertThat(VrrpPacket.peekVrid(new byte[1])).isEqualTo(-1);
        // issue 12 #11c: a payload too short to name a VRID is truncated (the decoder's verdict), not another VRID's
        assertThat(VrrpPacket.forAnotherVrid(new byte[1], 66)).isFalse();
        assertThat(VrrpPacket.forAnotherVrid(new byte[0], 66)).isFalse();
        assertThat(VrrpPacket.forAnotherVrid(seed000Advert(), 66)).isFalse();
        assertThat(VrrpPacket.forAnotherVrid(seed000Advert(), 51)).isTrue();
        assertThat(reason(new byte[1], SEED_000)).isEqualTo(DropReason.TRUNCATED);
    }

    @Test
    void encodeRefusesWhatTheWireCannotCarry() {
        assertThatThrownBy(() -> VrrpPacket.v2(0, 100, 1, AuthType.NONE, "", List.of(VIP))).hasMessageContaining("VRID");
        assertThatThrownBy(() -> VrrpPacket.v2(1, 100, 1, AuthType.NONE, "", List.of(ip("fd00::1")))).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> VrrpPacket.v3(1, 100, 100, List.of(VIP, ip("fd00::1")))).hasMessageContaining("one family");
        assertThatThrownBy(() -> VrrpPacket.v3(1, 100, 100, List.of(VIP)).encode(ip("fe80::1"), GROUP6, ChecksumMode.COMPUTE))
                .hasMessageContaining("one family");
    }

    @Test
    void withPriorityMakesTheGoodbyeAdvert() {
        VrrpPacket zero = VrrpPacket.v2(66, 100, 1, AuthType.PASS, "1111", List.of(VIP)).withPriority(0);
        assertThat(accepted(VrrpPacket.decode(zero.encode(MASTER, GROUP, ChecksumMode.COMPUTE), MASTER, GROUP, 255, SEED_000))
                .priority()).isZero();
    }

    static VrrpPacket accepted(Decoded d) {
        assertThat(d).isInstanceOf(Decoded.Accepted.class);
        return ((Decoded.Accepted) d).packet();
    }

    static DropReason reason(byte[] payload, Expectation e) {
        Decoded d = VrrpPacket.decode(payload, MASTER, GROUP, 255, e);
        assertThat(d).isInstanceOf(Decoded.Dropped.class);
        return ((Decoded.Dropped) d).reason();
    }

    static byte[] patch(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }

    /** Recomputes a v2 checksum, so a test reaches the check after it. */
    static byte[] withChecksum(byte[] b) {
        byte[] c = patch(patch(b, 6, 0), 7, 0);
        int sum = VrrpPacket.checksum(c, 2, MASTER, GROUP);
        return patch(patch(c, 6, sum >>> 8), 7, sum);
    }

    static byte[] withChecksum3(byte[] b) {
        int sum = VrrpPacket.checksum(b, 3, MASTER, GROUP);
        return patch(patch(b, 6, sum >>> 8), 7, sum);
    }
}
