package vipgate.netlink.libc;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls vipgate needs for netlink, raw and packet sockets, bound with jnr-ffi (loaded once, see
 * {@link #INSTANCE}).
 *
 * <p>Structures (sockaddr_*, ip_mreqn, pollfd...) are passed as byte arrays laid out by the callers: they are
 * small, fixed and easier to test as bytes than as jnr {@code Struct}s. Only {@link #recvmsg} takes native
 * memory, because msghdr holds pointers. After a call returns -1, read errno with {@link #errno()} at once, on
 * the same thread, before any other native call.
 */
public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    /** errno of the last failed call made by this thread through this binding. */
    static int errno() {
        return Runtime.getRuntime(INSTANCE).getLastError();
    }

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In byte[] sockaddr, int addrlen);

    int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);

    @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] destAddr, int addrlen);

    /** {@code buf} is native memory: a byte[] would be copied out whole on every call, however little came. */
    @ssize_t long recvfrom(int fd, Pointer buf, @size_t long len, int flags, @Out byte[] srcAddr,
                           IntByReference addrlen);

    /** {@code msghdr} must be native memory: it points at the iovec, the data and the control buffers. */
    @ssize_t long recvmsg(int fd, Pointer msghdr, int flags);

    int close(int fd);

    /** {@code fds} is an array of pollfd (8 bytes each: int fd, short events, short revents). */
    int poll(byte[] fds, long nfds, int timeoutMillis);

    /** Used as a self-pipe: writing one byte wakes a thread blocked in {@link #poll} on the read end. */
    int pipe2(@Out int[] fds, int flags);

    @ssize_t long write(int fd, @In byte[] buf, @size_t long len);

    /** Only for requests whose argument is a pointer (e.g. SIOCGSTAMPNS); {@code arg} is native memory. */
    int ioctl(int fd, long request, Pointer arg);

    /** {@code timespec} is native memory: 16 bytes, seconds then nanoseconds. */
    int clock_gettime(int clockId, Pointer timespec);

    /** With {@code who} 0 and PRIO_PROCESS, Linux sets the nice value of the calling thread only. */
    int setpriority(int which, int who, int prio);

    /** {@code param} is struct sched_param (one int); {@code pid} 0 is the calling thread. */
    int sched_setscheduler(int pid, int policy, @In byte[] param);

    /** 0 when there is no such interface in the calling thread's network namespace. */
    int if_nametoindex(String name);

    String strerror(int errnum);
}
