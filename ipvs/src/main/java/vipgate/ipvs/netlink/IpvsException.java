package vipgate.ipvs.netlink;

import java.io.IOException;
import java.util.Locale;
import vipgate.netlink.NetlinkException;
import vipgate.netlink.libc.Errno;

/**
 * The kernel refused an IPVS command, explained in IPVS terms: "service 10.0.0.1:80/tcp already exists" rather
 * than "EEXIST". {@link #reason()} lets callers react (the reconciler re-reads the table on {@link Reason#EXISTS}
 * or {@link Reason#NO_SUCH_SERVICE}: someone else changed it meanwhile).
 */
public class IpvsException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, independent of the command. */
    public enum Reason {
        /** EEXIST: the service, real server or sync daemon is already there. */
        EXISTS,
        /** ESRCH: no such service (or, for DEL_DAEMON, no such daemon). */
        NO_SUCH_SERVICE,
        /** ENOENT on a destination command: the service has no such real server. */
        NO_SUCH_DESTINATION,
        /** ENOENT on NEW/SET_SERVICE: the scheduler or persistence engine module is not in this kernel. */
        NO_SUCH_SCHEDULER,
        /** EINVAL or ERANGE: a value the kernel does not accept. */
        INVALID,
        /** EPERM: CAP_NET_ADMIN is needed. */
        PERMISSION,
        /** The IPVS family itself is missing. */
        NOT_AVAILABLE,
        OTHER
    }

    private final Reason reason;
    private final int errno;

    public IpvsException(Reason reason, int errno, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.errno = errno;
    }

    public Reason reason() {
        return reason;
    }

    /** The kernel's errno (positive), 0 when the failure was not an errno. */
    public int errno() {
        return errno;
    }

    /** The kernel's answer to {@code request}, explained. */
    public static IpvsException of(IpvsRequest request, NetlinkException e) {
        Command command = request.command();
        String service = request.service().map(s -> "service " + s).orElse("the service");
        String destination = request.destination().map(d -> "real server " + d).orElse("the real server");
        String daemon = request.daemon().map(d -> d.state().name().toLowerCase(Locale.ROOT) + " sync daemon")
                .orElse("sync daemon");
        boolean destCommand = command == Command.NEW_DEST || command == Command.SET_DEST || command == Command.DEL_DEST;
        Reason reason;
        String message;
        switch (e.errno()) {
            case Errno.EEXIST -> {
                reason = Reason.EXISTS;
                message = destCommand ? destination + " already exists in " + service
                        : command == Command.NEW_DAEMON ? "a " + daemon + " is already running"
                        : service + " already exists";
            }
            case Errno.ESRCH -> {
                reason = Reason.NO_SUCH_SERVICE;
                message = command == Command.DEL_DAEMON ? "no " + daemon + " is running" : "no such " + service;
            }
            case Errno.ENOENT -> {
                if (destCommand) {
                    reason = Reason.NO_SUCH_DESTINATION;
                    message = "no " + destination + " in " + service;
                } else if (command == Command.NEW_SERVICE || command == Command.SET_SERVICE) {
                    reason = Reason.NO_SUCH_SCHEDULER;
                    String scheduler = request.service().map(Service::scheduler).orElse("?");
                    String pe = request.service().map(Service::persistenceEngine).orElse("");
                    message = "scheduler '" + scheduler + "'" + (pe.isEmpty() ? "" : " or persistence engine '" + pe + "'")
                            + " not available for " + service + ": this kernel has no ip_vs_" + scheduler + " module";
                } else {
                    reason = Reason.OTHER;
                    message = request.describe() + ": " + Errno.name(e.errno());
                }
            }
            case Errno.EINVAL, Errno.ERANGE -> {
                reason = Reason.INVALID;
                message = request.describe() + ": the kernel rejected a value as invalid (" + Errno.name(e.errno())
                        + (e.errno() == Errno.ERANGE ? ": weight or connection thresholds out of range" : "") + ")";
            }
            case Errno.EPERM -> {
                reason = Reason.PERMISSION;
                message = request.describe() + ": IPVS needs CAP_NET_ADMIN (run as root)";
            }
            default -> {
                reason = Reason.OTHER;
                message = request.describe() + ": " + Errno.name(e.errno());
            }
        }
        if (e.kernelMessage() != null && !e.kernelMessage().isEmpty()) {
            message += " (kernel: " + e.kernelMessage() + ")";
        }
        return new IpvsException(reason, e.errno(), message, e);
    }
}
