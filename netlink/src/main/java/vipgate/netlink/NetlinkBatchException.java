package vipgate.netlink;

/** The kernel refused one message of a {@link NetlinkSocket#requestAll batch}: which one, and why. */
public final class NetlinkBatchException extends NetlinkException {
    private static final long serialVersionUID = 1L;

    private final int index;

    public NetlinkBatchException(String operation, int errno, String kernelMessage, int index) {
        super(operation, errno, kernelMessage);
        this.index = index;
    }

    /** The refused message's position in the list given to {@link NetlinkSocket#requestAll}. */
    public int index() {
        return index;
    }
}
