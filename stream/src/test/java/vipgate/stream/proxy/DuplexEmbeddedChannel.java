package vipgate.stream.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * An EmbeddedChannel that is a {@link DuplexChannel}, as every socket channel of the real transports is, with a
 * remote address of the test's choosing: the test plays the peer, sends bytes and a FIN, and sees what the proxy
 * wrote and whether it shut the output.
 */
final class DuplexEmbeddedChannel extends EmbeddedChannel implements DuplexChannel {
    private SocketAddress remote;
    private boolean inputShutdown;
    private boolean outputShutdown;

    DuplexEmbeddedChannel(InetSocketAddress remote, ChannelHandler... handlers) {
        super(false, false, handlers);
        this.remote = remote;
        try {
            register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return isActive() ? remote : null;
    }

    @Override
    protected SocketAddress localAddress0() {
        return isActive() ? new InetSocketAddress("127.0.0.1", 6379) : null;
    }

    /** The peer sends these bytes. */
    void send(String text) {
        writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** The peer sends its FIN. */
    void sendFin() {
        inputShutdown = true;
        pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        runPendingTasks();
    }

    /** What the proxy wrote to the peer since the last call. */
    String received() {
        StringBuilder out = new StringBuilder();
        for (Object m = readOutbound(); m != null; m = readOutbound()) {
            ByteBuf b = (ByteBuf) m;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        inputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        outputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && outputShutdown;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        inputShutdown = true;
        outputShutdown = true;
        return promise.setSuccess();
    }
}
