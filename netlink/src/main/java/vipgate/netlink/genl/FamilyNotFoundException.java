package vipgate.netlink.genl;

import vipgate.netlink.NetlinkException;
import vipgate.netlink.libc.Errno;

/**
 * The kernel has no generic netlink family of that name: its module is not loaded (e.g. {@code ip_vs}) or not
 * built. Callers turn this into advice ("load ip_vs or use the appliance image").
 */
public class FamilyNotFoundException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    private final String family;

    public FamilyNotFoundException(String family, String kernelMessage) {
        super("CTRL_CMD_GETFAMILY " + family + " (generic netlink family not registered in this kernel)",
                Errno.ENOENT, kernelMessage);
        this.family = family;
    }

    public String family() {
        return family;
    }
}
