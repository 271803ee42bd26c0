package vipgate.lb.it;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import vipgate.lb.LbEngine;
import vipgate.lb.config.LbConfig;
import vipgate.lb.config.LbConfigText;
import vipgate.transport.Transport;
import vipgate.testkit.FreePort;

/**
 * An lb engine started from HOCON text the way the appliance starts it (strict binding over reference.conf),
 * listening on 127.0.0.1 at a free port. The text is the body of {@code vipgate.lb { ... }}; {@code ${PORT}}
 * in it stands for the listen port.
 */
final class LbUnderTest implements AutoCloseable {
    final LbEngine engine;
    final int port;

    private LbUnderTest(LbEngine engine, int port) {
        this.engine = engine;
        this.port = port;
    }

    static LbUnderTest start(String lbBody) {
        int port = FreePort.tcp();
        LbEngine engine = LbEngine.start(config(lbBody, port));
        return new LbUnderTest(engine, port);
    }

    /** {@link #start(String)} on the given transport (see {@link OnEveryTransport}). */
    static LbUnderTest start(Transport transport, String lbBody) {
        return start("transport = " + transport.name().toLowerCase(Locale.ROOT) + "\n" + lbBody);
    }

    /** Binds {@code vipgate.lb { lbBody }}; throws the ConfigException listing every problem. */
    private static LbConfig config(String lbBody, int port) {
        return LbConfigText.bind("vipgate.lb {\n" + lbBody.replace("${PORT}", Integer.toString(port)) + "\n}\n");
    }

    /** One upstream {@code web} with the given servers block, one server on the port routing / to it. */
    static String simple(String upstreamBody) {
        return """
                event-loops = 2
                shutdown-drain = 5s
                upstreams.web { %s }
                servers = [ { listen = "127.0.0.1:${PORT}", locations = [ { path = "/", upstream = web } ] } ]
                """.formatted(upstreamBody);
    }

    /** {@link #simple} with the one server {@code address}. */
    static String proxyingTo(String address) {
        return simple("servers = [ { address = \"" + address + "\" } ]");
    }

    /** Upstream connections idling in the pools of all event loops, counted on each loop. */
    int idleUpstreamConnections() {
        int[] n = {0};
        engine.context().pools().forEach((loop, pool) -> {
            try {
                n[0] += loop.submit(pool::idleCount).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return n[0];
    }

    void reload(String lbBody) {
        engine.reload(config(lbBody, port));
    }

    @Override
    public void close() {
        engine.shutdown(Duration.ofSeconds(2));
    }
}
