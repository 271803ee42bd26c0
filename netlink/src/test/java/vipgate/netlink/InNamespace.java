package vipgate.netlink;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import vipgate.netlink.libc.Errno;
import vipgate.testkit.NetNs;

/**
 * Runs code inside a test network namespace: on a fresh thread that enters it with {@code setns(2)} (the network
 * namespace is per thread in Linux), so sockets and netlink handles opened by {@code action} belong to the
 * namespace and stay there when other threads use them afterwards.
 */
public final class InNamespace {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    /** Only the tests need to switch namespaces: the appliance runs where it was started. */
    public interface Ns {
        int open(String path, int flags);

        int setns(int fd, int nstype);

        int close(int fd);
    }

    private static final Ns NS = LibraryLoader.create(Ns.class).load("c");

    private InNamespace() {
    }

    public static <T> T call(NetNs ns, Callable<T> action) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            int fd = NS.open(ns.path().toString(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("open " + ns.path() + ": " + errno());
            }
            try {
                if (NS.setns(fd, CLONE_NEWNET) < 0) {
                    throw new IllegalStateException("setns " + ns.path() + ": " + errno());
                }
            } finally {
                NS.close(fd);
            }
            return action.call();
        });
        Thread thread = new Thread(task, "in-" + ns.name());
        thread.start();
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static String errno() {
        return Errno.describe(Runtime.getRuntime(NS).getLastError());
    }
}
