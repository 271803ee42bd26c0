package vipgate.ipvs.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealServerModeTest {
    @TempDir
    Path procSys;

    @Test
    void arpIsRestrictedOnEveryInterface() throws Exception {
        Path all = Files.createDirectories(procSys.resolve("net/ipv4/conf/all"));
        Files.writeString(all.resolve("arp_ignore"), "0\n");
        Files.writeString(all.resolve("arp_announce"), "0\n");
        RealServerMode.writeSysctls(procSys);
        assertThat(Files.readString(all.resolve("arp_ignore"))).isEqualTo("1\n");
        assertThat(Files.readString(all.resolve("arp_announce"))).isEqualTo("2\n");
    }

    /**
     * The unprivileged service cannot write /proc/sys (root-owned files, ProtectKernelTunables): values already set
     * by /etc/sysctl.d are left alone, not rewritten.
     */
    @Test
    void valuesAlreadySetAreNotWritten() throws Exception {
        Path all = Files.createDirectories(procSys.resolve("net/ipv4/conf/all"));
        Files.writeString(all.resolve("arp_ignore"), "1\n");
        Files.writeString(all.resolve("arp_announce"), "2\n");
        FileTime longAgo = FileTime.fromMillis(0);
        Files.setLastModifiedTime(all.resolve("arp_ignore"), longAgo);
        Files.setLastModifiedTime(all.resolve("arp_announce"), longAgo);
        RealServerMode.writeSysctls(procSys);
        assertThat(Files.getLastModifiedTime(all.resolve("arp_ignore"))).isEqualTo(longAgo);
        assertThat(Files.getLastModifiedTime(all.resolve("arp_announce"))).isEqualTo(longAgo);
    }
}
