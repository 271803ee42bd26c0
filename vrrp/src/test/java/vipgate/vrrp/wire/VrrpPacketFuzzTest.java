package vipgate.vrrp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The decoder must answer every input with a {@link Decoded} and never throw: a packet from the LAN is
 * attacker-controlled.
 *
 * <p>{@link #decoderNeverThrows} is a seeded random test that runs in every build. {@link #jazzer} is a
 * Jazzer fuzz target: a normal build runs it in regression mode (the empty input plus any files under
 * {@code src/test/resources/vipgate/vrrp/wire/VrrpPacketFuzzTestInputs/jazzer/}). To fuzz for real, with
 * coverage guidance, for five minutes:
 *
 * <pre>
 *   JAZZER_FUZZ=1 mvn -o -pl vrrp test -Dtest=VrrpPacketFuzzTest#jazzer -Djazzer.max_duration=5m
 * </pre>
 *
 * Crashing inputs are written next to the regression inputs; commit them so every build replays them.
 */
class VrrpPacketFuzzTest {
    private static final Set<DropReason> DECLARED = EnumSet.allOf(DropReason.class);
    private static final InetAddress SRC = VrrpPacketTest.ip("192.168.16.128");
    private static final InetAddress SRC6 = VrrpPacketTest.ip("fe80::1");
    private static final List<Expectation> EXPECTATIONS = List.of(
            VrrpPacketTest.SEED_000,
            Expectation.v2(1, AuthType.NONE, "", List.of(), false),
            Expectation.v3(List.of(VrrpPacketTest.VIP), true, ChecksumMode.COMPUTE),
            Expectation.v3(List.of(VrrpPacketTest.ip("fd00::50")), true, ChecksumMode.LEAVE_TO_KERNEL));

    @Test
    void decoderNeverThrows() {
        Random random = new Random(0x5EED_0112L);
        List<byte[]> valid = new ArrayList<>();
        valid.add(VrrpPacketTest.seed000Advert());
        valid.add(VrrpPacket.v3(51, 100, 100, List.of(VrrpPacketTest.VIP)).encode(SRC, VrrpPacketTest.GROUP, ChecksumMode.COMPUTE));
        valid.add(VrrpPacket.v3(1, 255, 4095, List.of(VrrpPacketTest.ip("fd00::50")))
                .encode(SRC6, VrrpPacketTest.GROUP6, ChecksumMode.LEAVE_TO_KERNEL));
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] input;
            if (i % 4 == 0) {
                input = new byte[random.nextInt(64)];
                random.nextBytes(input);
            } else {
                input = mutate(valid.get(random.nextInt(valid.size())), random);
            }
            for (Expectation e : EXPECTATIONS) {
                boolean v6 = e.addresses().stream().anyMatch(a -> a instanceof java.net.Inet6Address);
                Decoded d = VrrpPacket.decode(input, v6 ? SRC6 : SRC, v6 ? VrrpPacketTest.GROUP6 : VrrpPacketTest.GROUP,
                        random.nextInt(4) == 0 ? random.nextInt(256) : 255, e);
                if (d instanceof Decoded.Dropped dropped) {
                    assertThat(DECLARED).contains(dropped.reason());
                } else {
                    accepted++;
                }
            }
        }
        // mutations that keep a packet valid (e.g. priority changes get caught by the checksum) are rare but exist
        assertThat(accepted).isPositive();
    }

    /** Flips, overwrites, truncates or extends a valid packet: inputs that get past the first checks. */
    private static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        switch (random.nextInt(5)) {
            case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            case 2 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 3 -> b = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(40));
            default -> b[3] = (byte) random.nextInt(256); // address count out of step with the length
        }
        return b;
    }

    @FuzzTest
    void jazzer(FuzzedDataProvider data) {
        Expectation e = EXPECTATIONS.get(data.consumeInt(0, EXPECTATIONS.size() - 1));
        boolean v6 = e.addresses().stream().anyMatch(a -> a instanceof java.net.Inet6Address);
        int ttl = data.consumeInt(0, 255);
        Decoded d = VrrpPacket.decode(data.consumeRemainingAsBytes(), v6 ? SRC6 : SRC,
                v6 ? VrrpPacketTest.GROUP6 : VrrpPacketTest.GROUP, ttl, e);
        if (d instanceof Decoded.Dropped dropped && !DECLARED.contains(dropped.reason())) {
            throw new AssertionError("undeclared drop reason " + dropped.reason());
        }
    }
}
