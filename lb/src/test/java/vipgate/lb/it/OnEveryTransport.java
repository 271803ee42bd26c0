package vipgate.lb.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import vipgate.transport.Transport;

/**
 * Runs every test of the class once per Netty transport (io_uring, epoll, nio): {@code transport = auto} picks
 * io_uring here, but falls back to epoll or nio on kernels or sandboxes without it, and those must behave the
 * same. The class declares {@code @Parameter Transport transport} and takes the same transport in a
 * {@code @BeforeParameterizedClassInvocation static void start(Transport)} that starts its proxy with
 * {@link LbUnderTest#start(Transport, String)}; its tests keep using the static fields set there, so a test added
 * to such a class runs on every transport without further ado.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "transport = {0}")
@EnumSource(value = Transport.class, mode = EnumSource.Mode.EXCLUDE, names = "AUTO")
@interface OnEveryTransport {
}
