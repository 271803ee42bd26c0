package vipgate.stream.it;

import java.net.InetSocketAddress;
import vipgate.config.Binding;
import vipgate.config.ConfigLoader;
import vipgate.stream.StreamEngine;
import vipgate.stream.config.StreamConfig;
import vipgate.testkit.FreePort;

/** The stream engine in this JVM, bound strictly from config text like the appliance's file, on a free port. */
final class StreamUnderTest implements AutoCloseable {
    final int port;
    final StreamEngine engine;

    private StreamUnderTest(int port, StreamEngine engine) {
        this.port = port;
        this.engine = engine;
    }

    /** {@code body} is the inside of {@code vipgate.stream { }}; {@code LISTEN} in it becomes 127.0.0.1:port. */
    static StreamUnderTest start(String body) {
        int port = FreePort.tcp();
        return new StreamUnderTest(port, StreamEngine.start(bind(body.replace("LISTEN", "127.0.0.1:" + port))));
    }

    static StreamConfig bind(String body) {
        return Binding.bind(ConfigLoader.parseString("vipgate.stream {\n" + body + "\n}\n", "test.conf"), StreamConfig::bind,
                "vipgate", "stream");
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Override
    public void close() {
        engine.close();
    }
}
