package vipgate.netlink.libc;

import java.io.IOException;

/** A failed system call: the operation, errno and its symbolic name, e.g. {@code bind(AF_PACKET): ENODEV (19, No such device)}. */
public class NativeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;

    public NativeException(String operation, int errno) {
        this(operation, errno, null);
    }

    /** {@code detail} (may be null) is appended, e.g. the kernel's extended-ACK message for netlink. */
    public NativeException(String operation, int errno, String detail) {
        super(operation + ": " + Errno.describe(errno) + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.errno = errno;
        this.operation = operation;
    }

    /** Positive errno value, e.g. 17 for EEXIST. */
    public int errno() {
        return errno;
    }

    /** Symbolic name such as {@code EEXIST}, or {@code errno 123} when not one vipgate names. */
    public String errnoName() {
        return Errno.name(errno);
    }

    public String operation() {
        return operation;
    }
}
