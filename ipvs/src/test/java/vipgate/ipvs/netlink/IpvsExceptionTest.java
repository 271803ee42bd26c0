package vipgate.ipvs.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import vipgate.netlink.NetlinkException;
import vipgate.netlink.libc.Errno;

class IpvsExceptionTest {
    private final Service web;
    private final Destination rs;

    IpvsExceptionTest() throws Exception {
        web = Service.of(ServiceKey.of(Protocol.TCP, InetAddress.getByName("10.0.0.1"), 80), "wrr");
        rs = Destination.of(InetAddress.getByName("10.0.0.2"), 80, Forwarding.DIRECT_ROUTE, 1);
    }

    private static IpvsException map(IpvsRequest request, int errno, String kernelMessage) {
        return IpvsException.of(request, new NetlinkException(request.describe(), errno, kernelMessage));
    }

    @Test
    void existsAndMissingAreNamedInIpvsTerms() {
        IpvsException exists = map(IpvsCodec.newService(web), Errno.EEXIST, null);
        assertThat(exists.reason()).isEqualTo(IpvsException.Reason.EXISTS);
        assertThat(exists).hasMessage("service 10.0.0.1:80/tcp already exists");
        assertThat(exists.errno()).isEqualTo(Errno.EEXIST);

        assertThat(map(IpvsCodec.deleteService(web), Errno.ESRCH, null))
                .hasMessage("no such service 10.0.0.1:80/tcp")
                .extracting(IpvsException::reason).isEqualTo(IpvsException.Reason.NO_SUCH_SERVICE);
        assertThat(map(IpvsCodec.newDestination(web, rs), Errno.ESRCH, null)).hasMessage("no such service 10.0.0.1:80/tcp");
        assertThat(map(IpvsCodec.newDestination(web, rs), Errno.EEXIST, null))
                .hasMessage("real server 10.0.0.2:80 already exists in service 10.0.0.1:80/tcp");
        assertThat(map(IpvsCodec.deleteDestination(web, rs), Errno.ENOENT, null))
                .hasMessage("no real server 10.0.0.2:80 in service 10.0.0.1:80/tcp")
                .extracting(IpvsException::reason).isEqualTo(IpvsException.Reason.NO_SUCH_DESTINATION);
    }

    @Test
    void unknownSchedulerDaemonsAndInvalidValues() {
        Service odd = Service.of(web.key(), "nosuch");
        assertThat(map(IpvsCodec.newService(odd), Errno.ENOENT, null))
                .hasMessage("scheduler 'nosuch' not available for service 10.0.0.1:80/tcp: this kernel has no ip_vs_nosuch module")
                .extracting(IpvsException::reason).isEqualTo(IpvsException.Reason.NO_SUCH_SCHEDULER);
        Daemon master = Daemon.of(Daemon.State.MASTER, "eth0", 1);
        assertThat(map(IpvsCodec.newDaemon(master), Errno.EEXIST, null)).hasMessage("a master sync daemon is already running");
        assertThat(map(IpvsCodec.deleteDaemon(master), Errno.ESRCH, null)).hasMessage("no master sync daemon is running");
        assertThat(map(IpvsCodec.setDestination(web, rs), Errno.ERANGE, null).getMessage())
                .contains("SET_DEST 10.0.0.2:80 of 10.0.0.1:80/tcp").contains("out of range");
        assertThat(map(IpvsCodec.newService(web), Errno.EINVAL, "Invalid attribute"))
                .hasMessageEndingWith("(kernel: Invalid attribute)")
                .extracting(IpvsException::reason).isEqualTo(IpvsException.Reason.INVALID);
        assertThat(map(IpvsCodec.flush(), Errno.EPERM, null)).hasMessageContaining("CAP_NET_ADMIN");
        assertThat(map(IpvsCodec.zero(Optional.empty()), Errno.ENOMEM, null)).hasMessage("ZERO: ENOMEM")
                .extracting(IpvsException::reason).isEqualTo(IpvsException.Reason.OTHER);
    }

    @Test
    void missingFamilyGivesTheAdvice() {
        assertThat(new IpvsNotAvailableException(null))
                .hasMessage("IPVS not available in this kernel: load ip_vs or use the appliance image")
                .extracting(IpvsException::reason).isEqualTo(IpvsException.Reason.NOT_AVAILABLE);
    }
}
