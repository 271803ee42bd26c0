package vipgate.ipvs.netlink;

/** The kernel has no IPVS generic netlink family: ip_vs is not loaded, or not built (as on this project's CI host). */
public final class IpvsNotAvailableException extends IpvsException {
    private static final long serialVersionUID = 1L;

    public static final String MESSAGE = "IPVS not available in this kernel: load ip_vs or use the appliance image";

    public IpvsNotAvailableException(Throwable cause) {
        super(Reason.NOT_AVAILABLE, 0, MESSAGE, cause);
    }
}
