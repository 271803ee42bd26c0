package vipgate.netlink;

import vipgate.netlink.libc.NativeException;

/**
 * The kernel refused a netlink request: NLMSG_ERROR carried a negative errno (EEXIST when adding an address
 * that exists, EADDRNOTAVAIL when deleting one that does not, ENOENT for an unknown generic netlink family...).
 * The message includes the kernel's extended-ACK text when it gave one.
 */
public class NetlinkException extends NativeException {
    private static final long serialVersionUID = 1L;

    private final String kernelMessage;

    public NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation, errno, kernelMessage);
        this.kernelMessage = kernelMessage;
    }

    /** The kernel's extended-ACK message, or null. */
    public String kernelMessage() {
        return kernelMessage;
    }
}
