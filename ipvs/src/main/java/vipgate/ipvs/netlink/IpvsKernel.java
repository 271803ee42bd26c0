package vipgate.ipvs.netlink;

import java.util.List;
import java.util.Optional;

/** What the engine needs of the kernel's IPVS; {@link IpvsClient} in production, an in-memory table in tests. */
public interface IpvsKernel extends AutoCloseable {
    List<KernelService> table() throws IpvsException;

    /** The kernel's entry for {@code service}'s key with its real servers, empty when there is none. */
    Optional<KernelService> service(Service service) throws IpvsException;

    void execute(IpvsRequest request) throws IpvsException;

    /**
     * Executes {@code requests} in order, stopping at the first refused one (its exception names it). A client
     * may send several per system call; then some after the refused one may have been executed too.
     */
    default void executeAll(List<IpvsRequest> requests) throws IpvsException {
        for (IpvsRequest request : requests) {
            execute(request);
        }
    }

    List<Daemon> daemons() throws IpvsException;

    @Override
    void close();
}
