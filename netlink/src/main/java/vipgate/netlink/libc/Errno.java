package vipgate.netlink.libc;

import java.util.Map;

/** Linux errno values vipgate reacts to, and names for messages (x86-64 / generic numbering). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ERANGE = 34;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int EHOSTUNREACH = 113;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(ESRCH, "ESRCH"),
            Map.entry(EINTR, "EINTR"), Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"),
            Map.entry(ENOMEM, "ENOMEM"), Map.entry(EACCES, "EACCES"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"), Map.entry(EINVAL, "EINVAL"),
            Map.entry(ERANGE, "ERANGE"), Map.entry(ENOTSOCK, "ENOTSOCK"), Map.entry(EMSGSIZE, "EMSGSIZE"),
            Map.entry(ENOPROTOOPT, "ENOPROTOOPT"), Map.entry(EPROTONOSUPPORT, "EPROTONOSUPPORT"),
            Map.entry(EOPNOTSUPP, "EOPNOTSUPP"), Map.entry(EAFNOSUPPORT, "EAFNOSUPPORT"),
            Map.entry(EADDRINUSE, "EADDRINUSE"), Map.entry(EADDRNOTAVAIL, "EADDRNOTAVAIL"),
            Map.entry(ENETDOWN, "ENETDOWN"), Map.entry(ENETUNREACH, "ENETUNREACH"), Map.entry(ENOBUFS, "ENOBUFS"),
            Map.entry(ENOTCONN, "ENOTCONN"), Map.entry(EHOSTUNREACH, "EHOSTUNREACH"));

    private Errno() {
    }

    /** {@code EEXIST}, or {@code errno 123} for a value not named here. */
    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    /** {@code EEXIST (17, File exists)}: the name to grep for and libc's text for humans. */
    public static String describe(int errno) {
        return name(errno) + " (" + errno + ", " + LibC.INSTANCE.strerror(errno) + ")";
    }
}
