package vipgate.transport;

/** Which Netty transport carries the sockets; AUTO picks the best the kernel offers. */
public enum Transport {
    AUTO, IO_URING, EPOLL, NIO
}
