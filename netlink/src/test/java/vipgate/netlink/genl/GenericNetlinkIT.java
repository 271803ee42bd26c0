package vipgate.netlink.genl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import vipgate.netlink.InNamespace;
import vipgate.testkit.NetNs;

class GenericNetlinkIT {
    @BeforeAll
    static void root() {
        NetNs.requireRoot();
    }

    @Test
    void resolvesTheControllerItself() throws Exception {
        try (NetNs ns = NetNs.create(); GenericNetlink genl = InNamespace.call(ns, GenericNetlink::open)) {
            GenlFamily nlctrl = genl.resolveFamily("nlctrl");
            assertThat(nlctrl.id()).isEqualTo(16);
            assertThat(nlctrl.name()).isEqualTo("nlctrl");
            assertThat(nlctrl.version()).isGreaterThanOrEqualTo(1);
            assertThat(nlctrl.multicastGroups()).containsKey("notify");

            // the same question again on the same socket: the reply-then-ACK exchange left nothing behind
            assertThat(genl.resolveFamily("nlctrl")).isEqualTo(nlctrl);
        }
    }

    @Test
    void missingFamilyIsAClearException() throws Exception {
        try (NetNs ns = NetNs.create(); GenericNetlink genl = InNamespace.call(ns, GenericNetlink::open)) {
            assertThatThrownBy(() -> genl.resolveFamily("vg-nosuchfam"))
                    .isInstanceOfSatisfying(FamilyNotFoundException.class, e -> {
                        assertThat(e.family()).isEqualTo("vg-nosuchfam");
                        assertThat(e.errnoName()).isEqualTo("ENOENT");
                    })
                    .hasMessageContaining("vg-nosuchfam");
            assertThat(genl.resolveFamily("nlctrl").id()).isEqualTo(16);
            assertThatThrownBy(() -> genl.resolveFamily("a-name-longer-than-15"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("15 bytes");
        }
    }

    @Test
    void dumpsEveryFamily() throws Exception {
        try (NetNs ns = NetNs.create(); GenericNetlink genl = InNamespace.call(ns, GenericNetlink::open)) {
            List<GenlMessage> families = genl.dump(GenericNetlink.GENL_ID_CTRL, GenericNetlink.CTRL_CMD_GETFAMILY,
                    GenericNetlink.CTRL_VERSION);
            assertThat(families).extracting(m -> GenericNetlink.parseFamily(m.attributes()).name())
                    .contains("nlctrl");
        }
    }
}
