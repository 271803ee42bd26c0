package vipgate.appliance.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import vipgate.appliance.HttpText;
import vipgate.config.HostPort;

/**
 * The two web nodes of seed 002 ("HTTP WEB NODE 01" and "02"), started by the embedded default so that
 * {@code curl localhost:8080} twice shows the round robin on a fresh machine.
 */
public final class DemoWebNodes implements AutoCloseable {
    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vipgate-demo", true), NioIoHandler.newFactory());

    public DemoWebNodes(HostPort... nodes) {
        try {
            for (int i = 0; i < nodes.length; i++) {
                String body = String.format("HTTP WEB NODE %02d%n", i + 1);
                new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Node(body));
                            }
                        })
                        .bind(nodes[i].resolve()).syncUninterruptibly();
            }
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the demo web nodes: " + e.getMessage()
                    + " (is something else on ports 8081/8082? run with -c FILE for a real config)", e);
        }
    }

    private static final class Node extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String body;

        Node(String body) {
            this.body = body;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            HttpText.reply(ctx, HttpUtil.isKeepAlive(req), HttpResponseStatus.OK, "text/plain", body);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
