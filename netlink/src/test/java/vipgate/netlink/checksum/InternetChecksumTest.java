package vipgate.netlink.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    @Test
    void matchesTheRfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, checksum 220d.
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(InternetChecksum.of(data, 0, data.length)).isEqualTo(0x220d);
    }

    @Test
    void oddChunksPairAcrossCalls() {
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f7");
        int split = new InternetChecksum().add(data, 0, 3).add(data, 3, 5).value();
        assertThat(split).isEqualTo(0x220d);
        assertThat(InternetChecksum.of(new byte[] {1}, 0, 1)).isEqualTo(~0x0100 & 0xffff);
    }

    @Test
    void aMessageIncludingItsChecksumVerifiesToZero() {
        byte[] message = HexFormat.of().parseHex("2101640101000000c0a80001");
        int checksum = InternetChecksum.of(message, 0, message.length);
        message[6] = (byte) (checksum >> 8);
        message[7] = (byte) checksum;
        assertThat(InternetChecksum.of(message, 0, message.length)).isZero();
    }
}
