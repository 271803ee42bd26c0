package vipgate.netlink.libc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativeExceptionTest {
    @Test
    void messageNamesOperationErrnoAndText() {
        NativeException e = new NativeException("bind(AF_PACKET/SOCK_RAW/0x806, ifindex 99)", Errno.ENODEV);
        assertThat(e.errno()).isEqualTo(19);
        assertThat(e.errnoName()).isEqualTo("ENODEV");
        assertThat(e.getMessage()).isEqualTo("bind(AF_PACKET/SOCK_RAW/0x806, ifindex 99): ENODEV (19, No such device)");
        assertThat(Errno.name(4242)).isEqualTo("errno 4242");
    }

    @Test
    void socketSyscallErrorsBecomeNativeExceptions() {
        // AF_NETLINK with an unknown protocol number: EPROTONOSUPPORT, no privileges needed
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SocketFd.open(16, SocketFd.SOCK_RAW, 31, "AF_NETLINK/31"))
                .isInstanceOf(NativeException.class)
                .hasMessageStartingWith("socket(AF_NETLINK/31): EPROTONOSUPPORT");
    }
}
