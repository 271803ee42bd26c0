package vipgate.netlink.genl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vipgate.netlink.message.Attribute;
import vipgate.netlink.message.NetlinkMessage;
import vipgate.netlink.message.NetlinkMessageBuilder;

class GenericNetlinkCodecTest {
    @Test
    void getFamilyRequestIsGenlHeaderThenName() {
        NetlinkMessage message = GenericNetlink.message(GenericNetlink.GENL_ID_CTRL, GenericNetlink.CTRL_CMD_GETFAMILY,
                2, Attribute.string(GenericNetlink.CTRL_ATTR_FAMILY_NAME, "IPVS"));
        assertThat(message.type()).isEqualTo(16);
        assertThat(HexFormat.of().formatHex(message.payload())).isEqualTo(
                "03" + "02" + "0000" + "0900" + "0200" + "4950565300" + "000000");
    }

    @Test
    void parsesFamilyWithMulticastGroups() {
        NetlinkMessage reply = new NetlinkMessageBuilder(16, 0).familyHeader(new byte[] {1, 2, 0, 0})
                .u16(GenericNetlink.CTRL_ATTR_FAMILY_ID, 0x1d)
                .string(GenericNetlink.CTRL_ATTR_FAMILY_NAME, "nlctrl")
                .u32(GenericNetlink.CTRL_ATTR_VERSION, 2)
                .u32(GenericNetlink.CTRL_ATTR_HDRSIZE, 0)
                .u32(GenericNetlink.CTRL_ATTR_MAXATTR, 10)
                .beginNest(GenericNetlink.CTRL_ATTR_MCAST_GROUPS)
                .beginNest(1).u32(GenericNetlink.CTRL_ATTR_MCAST_GRP_ID, 16)
                .string(GenericNetlink.CTRL_ATTR_MCAST_GRP_NAME, "notify").endNest()
                .endNest()
                .build();
        GenlFamily family = GenericNetlink.parseFamily(reply.attributes(GenericNetlink.GENL_HEADER_LENGTH));
        assertThat(family).isEqualTo(new GenlFamily("nlctrl", 0x1d, 2, 0, 10, Map.of("notify", 16)));
    }

    @Test
    void familyNotFoundNamesTheFamilyAndErrno() {
        FamilyNotFoundException e = new FamilyNotFoundException("IPVS", null);
        assertThat(e.errno()).isEqualTo(2);
        assertThat(e.errnoName()).isEqualTo("ENOENT");
        assertThat(e.family()).isEqualTo("IPVS");
        assertThat(e.getMessage()).contains("IPVS").contains("ENOENT");
    }
}
