package vipgate.ipvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealServerModeTest {
    @TempDir
    Path procSys;

    @Test
    void arpIsRestrictedOnEveryInterface() throws Exception {
        Files.createDirectories(procSys.resolve("net/ipv4/conf/all"));
        RealServerMode.writeSysctls(procSys);
        assertThat(Files.readString(procSys.resolve("net/ipv4/conf/all/arp_ignore"))).isEqualTo("1\n");
        assertThat(Files.readString(procSys.resolve("net/ipv4/conf/all/arp_announce"))).isEqualTo("2\n");
    }
}
