package vipgate.ipvs.netlink;

import java.util.List;

/** What the engine needs of the kernel's IPVS; {@link IpvsClient} in production, an in-memory table in tests. */
public interface IpvsKernel extends AutoCloseable {
    List<KernelService> table() throws IpvsException;

    void execute(IpvsRequest request) throws IpvsException;

    List<Daemon> daemons() throws IpvsException;

    @Override
    void close();
}
