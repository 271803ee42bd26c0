package vipgate.netlink.libc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Lifts the calling thread above the normal ones, for threads whose lateness costs a failover (VRRP's receiver and
 * timer): the real-time round-robin class if the kernel allows it (CAP_SYS_NICE, and a cgroup with a real-time
 * budget), else the highest nice value, else nothing. A real-time thread that only ever wakes briefly cannot starve
 * the box, and the kernel's real-time throttling (sched_rt_runtime_us) bounds it anyway.
 */
public final class ThreadPriority {
    private static final int SCHED_RR = 2;
    /** Children (notify and track scripts started from a raised thread) start as normal processes again. */
    private static final int SCHED_RESET_ON_FORK = 0x40000000;
    private static final int PRIO_PROCESS = 0;
    private static final int HIGHEST_NICE = -20;

    private ThreadPriority() {
    }

    /**
     * Raises the calling thread; returns what it got, for the log: "SCHED_RR 10", "nice -20", or "normal (why)".
     *
     * @param realtimePriority 1..99; any real-time priority runs before every normal thread
     */
    public static String raiseCurrentThread(int realtimePriority) {
        LibC c = LibC.INSTANCE;
        byte[] param = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(realtimePriority).array();
        if (c.sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, param) == 0) {
            return "SCHED_RR " + realtimePriority;
        }
        int rtErrno = LibC.errno();
        if (c.setpriority(PRIO_PROCESS, 0, HIGHEST_NICE) == 0) {
            return "nice " + HIGHEST_NICE + " (SCHED_RR refused: " + c.strerror(rtErrno) + ")";
        }
        return "normal (SCHED_RR and nice refused: " + c.strerror(LibC.errno()) + ")";
    }
}
