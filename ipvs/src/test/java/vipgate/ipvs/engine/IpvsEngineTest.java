package vipgate.ipvs.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import vipgate.config.Binding;
import vipgate.config.ConfigLoader;
import vipgate.ipvs.config.IpvsConfig;
import vipgate.ipvs.netlink.Daemon;
import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.IpvsClient;
import vipgate.ipvs.netlink.IpvsNotAvailableException;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.reconcile.Operation;

class IpvsEngineTest {
    static IpvsConfig config(String text) {
        return Binding.bind(ConfigLoader.parseString(text, "test.conf"), IpvsConfig::bind, "vipgate", "ipvs");
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static ServiceKey key(String address, int port) throws Exception {
        return ServiceKey.of(Protocol.TCP, ip(address), port);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, what, Duration.ofSeconds(10));
    }

    static void await(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    static final String WEB = """
            vipgate.ipvs.virtual-servers = [{ address = "192.168.1.120:80", scheduler = wrr, forwarding = dr
              real-servers = [{ address = "192.168.1.103", weight = 1 }, { address = "192.168.1.104", weight = 5 }] }]
            """;

    @Test
    void summarisesAPlanByKindInTheOrderOfThePlan() throws Exception {
        Service web = Service.of(key("192.168.1.120", 80), "wrr");
        Destination rs = Destination.of(ip("192.168.1.103"), 80, Forwarding.DIRECT_ROUTE, 1);
        assertThat(IpvsEngine.summary(List.of(new Operation.DeleteService(web), new Operation.AddService(web),
                new Operation.AddDestination(web, rs), new Operation.AddDestination(web, rs.withWeight(2)),
                new Operation.DeleteDestination(web, rs))))
                .isEqualTo("services removed: 1, services added: 1, real servers added: 2, real servers removed: 1");
    }

    @Test
    void programsOwnedServicesReloadsTheDiffAndRemovesOnlyItsOwnOnShutdown() throws Exception {
        MemoryKernel kernel = new MemoryKernel();
        Service foreign = Service.of(key("10.9.9.9", 443), "rr");
        kernel.execute(vipgate.ipvs.netlink.IpvsCodec.newService(foreign));
        kernel.log.clear();

        IpvsEngine engine = IpvsEngine.start(config(WEB), kernel, VrrpView.NONE, () -> 0);
        assertThat(kernel.destinationsOf(key("192.168.1.120", 80))).containsExactly(
                Destination.of(ip("192.168.1.103"), 80, Forwarding.DIRECT_ROUTE, 1),
                Destination.of(ip("192.168.1.104"), 80, Forwarding.DIRECT_ROUTE, 5));
        assertThat(kernel.log).hasSize(3);

        kernel.log.clear();
        int tableReads = kernel.tableReads;
        engine.reload(config("""
                vipgate.ipvs.virtual-servers = [{ address = "192.168.1.120:80", scheduler = wrr, forwarding = dr
                  real-servers = [{ address = "192.168.1.104", weight = 2 }] }
                  { address = "192.168.1.121:80", real-servers = [{ address = "10.0.0.2:8080" }] }]
                """));
        assertThat(kernel.log).containsExactly(
                "SET_DEST 192.168.1.104:80 of 192.168.1.120:80/tcp",
                "DEL_DEST 192.168.1.103:80 of 192.168.1.120:80/tcp",
                "NEW_SERVICE 192.168.1.121:80/tcp",
                "NEW_DEST 10.0.0.2:8080 of 192.168.1.121:80/tcp");

        kernel.log.clear();
        engine.reload(config(WEB));
        assertThat(kernel.log).as("a service dropped from the config goes; it was ours").contains("DEL_SERVICE 192.168.1.121:80/tcp");
        kernel.log.clear();
        engine.reload(config(WEB));
        assertThat(kernel.log).as("the same config again changes nothing").isEmpty();
        assertThat(kernel.tableReads).as("reloads read back only the services they change").isEqualTo(tableReads);
        assertThat(engine.status()).hasSize(1);
        assertThat(engine.status().get(0).realServers()).extracting(RealServerStatus.RealServer::lastProbe)
                .containsOnly("not checked");

        engine.close();
        assertThat(kernel.services.keySet()).containsExactly(foreign.key());
        assertThat(kernel.closed).isTrue();
    }

    @Test
    void leaveOnShutdownKeepsTheTable() throws Exception {
        MemoryKernel kernel = new MemoryKernel();
        IpvsEngine.start(config(WEB + "vipgate.ipvs.on-shutdown = leave"), kernel, VrrpView.NONE, () -> 0).close();
        assertThat(kernel.services).containsKey(key("192.168.1.120", 80));
    }

    @Test
    void aFailingRealServerLeavesTheTableAndComesBack() throws Exception {
        MemoryKernel kernel = new MemoryKernel();
        ServerSocket server = new ServerSocket(0, 50, ip("127.0.0.1"));
        int port = server.getLocalPort();
        IpvsEngine engine = IpvsEngine.start(config("""
                vipgate.ipvs.virtual-servers = [{ address = "192.168.1.120:%d", forwarding = nat
                  real-servers = [{ address = "127.0.0.1:%d"
                    check { type = tcp, interval = 50ms, connect-timeout = 200ms, retry = 1, delay-before-retry = 20ms } }] }]
                """.formatted(port, port)), kernel, VrrpView.NONE, () -> 0);
        ServiceKey web = key("192.168.1.120", port);
        try {
            assertThat(kernel.destinationsOf(web)).hasSize(1);
            int tableReads = kernel.tableReads;
            server.close();
            await(() -> kernel.destinationsOf(web).isEmpty(), "the real server to be removed after 1 + retry failures");
            assertThat(engine.status().get(0).realServers().get(0).up()).isFalse();
            server = new ServerSocket(port, 50, ip("127.0.0.1"));
            await(() -> kernel.destinationsOf(web).size() == 1, "the real server to come back");
            assertThat(kernel.tableReads).as("a verdict reads back its own service, not the whole table").isEqualTo(tableReads);
        } finally {
            engine.close();
            server.close();
        }
    }

    @Test
    void syncDaemonFollowsTheVrrpInstance() throws Exception {
        MemoryKernel kernel = new MemoryKernel();
        Daemon.State[] role = {Daemon.State.BACKUP};
        List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
        VrrpView vrrp = new VrrpView() {
            @Override
            public Optional<Daemon.State> role(String instance) {
                return instance.equals("VI_1") ? Optional.of(role[0]) : Optional.empty();
            }

            @Override
            public OptionalInt virtualRouterId(String instance) {
                return OptionalInt.of(51);
            }

            @Override
            public void onChange(Runnable listener) {
                listeners.add(listener);
            }
        };
        IpvsEngine engine = IpvsEngine.start(config("vipgate.ipvs.sync-daemon { interface = eth0, vrrp-instance = VI_1 }"),
                kernel, vrrp, () -> 0);
        try {
            await(() -> !kernel.daemons().isEmpty(), "the backup daemon");
            assertThat(kernel.daemons()).containsExactly(Daemon.of(Daemon.State.BACKUP, "eth0", 51));
            role[0] = Daemon.State.MASTER;
            listeners.forEach(Runnable::run);
            // with the change announced, the switch does not wait for the engine's next look (5 s later)
            await(() -> kernel.daemons().equals(List.of(Daemon.of(Daemon.State.MASTER, "eth0", 51))), "the switch to master",
                    Duration.ofSeconds(2));
        } finally {
            engine.close();
        }
        assertThat(kernel.daemons()).isEmpty();
    }

    @Test
    void thisHostsKernelWithoutIpvsGivesTheAdvice() {
        // the project's CI kernel is built without IP_VS; where ip_vs is loaded (the VM lab) this check does not apply
        if (Files.exists(Path.of("/proc/net/ip_vs"))) {
            return;
        }
        assertThatThrownBy(IpvsClient::open).isInstanceOf(IpvsNotAvailableException.class)
                .hasMessage("IPVS not available in this kernel: load ip_vs or use the appliance image");
    }
}
