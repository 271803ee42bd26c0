package vipgate.lb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import vipgate.transport.Transport;
import vipgate.testkit.Cleanup;
import vipgate.testkit.NoLeaks;

/** A WebSocket through the proxy: the upgrade is passed on, then frames flow both ways until a clean close. */
@OnEveryTransport
@ExtendWith(NoLeaks.class)
class WebSocketIT {
    private static TestUpstream echo;
    private static LbUnderTest lb;
    @Parameter
    Transport transport;

    @BeforeParameterizedClassInvocation
    static void start(Transport transport) {
        echo = TestUpstream.webSocketEcho("/ws");
        lb = LbUnderTest.start(transport, LbUnderTest.proxyingTo(echo.address()));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        Cleanup.close(lb, echo);
    }

    /** Collects what the server sends. */
    private static final class Collector implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    @Test
    void messagesEchoThroughTheProxyAndCloseWorks() throws Exception {
        int before = echo.seen.size();
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String text = "message " + i + " " + "x".repeat(i * 5000);
            ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            String back = collector.messages.poll(5, TimeUnit.SECONDS);
            assertThat(back).as("echo of message " + i).isNotNull();
            received.add(back);
        }
        for (int i = 0; i < 5; i++) {
            String expected = "echo: message " + i + " " + "x".repeat(i * 5000);
            // compared by length and prefix so a mismatch does not print 20 kB of x
            assertThat(received.get(i).length()).as("length of echo " + i + ", starting '"
                    + received.get(i).substring(0, Math.min(40, received.get(i).length())) + "'").isEqualTo(expected.length());
            assertThat(received.get(i).equals(expected)).as("echo " + i + " intact").isTrue();
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(collector.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        assertThat(echo.seen).hasSize(before + 1);
        assertThat(echo.seen.get(before).header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(echo.seen.get(before).header("Connection")).isEqualToIgnoringCase("upgrade");
        assertThat(echo.seen.get(before).header("Sec-WebSocket-Key")).isNotBlank();
    }

    /** More than the socket buffers hold, so each direction of the tunnel stops and resumes reading the other. */
    @Test
    void aMessageLargerThanTheSocketBuffersEchoesWhole() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = connect(collector);
        String text = "y".repeat(768 * 1024);
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        String back = collector.messages.poll(5, TimeUnit.SECONDS);
        assertThat(back).as("echo of 768 KiB").isNotNull();
        assertThat(back.length()).isEqualTo("echo: ".length() + text.length());
        assertThat(back.equals("echo: " + text)).as("echo intact").isTrue();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(collector.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    private static WebSocket connect(Collector collector) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + lb.port + "/ws"), collector).get(10, TimeUnit.SECONDS);
    }
}
