package vipgate.bench.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The idle mode: see {@link Options#USAGE}. */
final class IdleRun {

    /** A connection not answered by then counts as failed (and is closed), so that READY always comes. */
    private static final long ANSWER_TIMEOUT_SECONDS = 10;

    private final Options o;
    private final Semaphore opening;
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger non2xx = new AtomicInteger();
    private final AtomicInteger closedByServer = new AtomicInteger();

    IdleRun(Options options) {
        this.o = options;
        this.opening = new Semaphore(options.concurrency());
    }

    int run() throws InterruptedException {
        EventLoopGroup group = LoadGen.newGroup(1);
        byte[] request = o.request().getBytes(StandardCharsets.US_ASCII);
        Bootstrap bootstrap = LoadGen.bootstrap(group, o).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(), new Held());
            }
        });
        InetSocketAddress remote = new InetSocketAddress(o.host(), o.port());
        for (int i = 0; i < o.connections(); i++) {
            opening.acquire();
            ChannelFuture f = o.sources() > 1
                    ? bootstrap.connect(remote, new InetSocketAddress("127.0.0." + (1 + i % o.sources()), 0))
                    : bootstrap.connect();
            f.addListener((ChannelFuture cf) -> {
                if (!cf.isSuccess()) {
                    failed.incrementAndGet();
                    opening.release();
                    return;
                }
                Channel ch = cf.channel();
                ch.writeAndFlush(Unpooled.wrappedBuffer(request));
                ch.eventLoop().schedule(() -> {
                    if (!ch.pipeline().get(Held.class).answered) {
                        ch.close();
                    }
                }, ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            });
        }
        opening.acquire(o.concurrency()); // every connection is answered, failed or timed out
        // One write of the whole line: bench/run polls for it while this process runs.
        System.out.print(String.format("READY held=%d failed=%d non2xx=%d of %d connections to %s; holding them until"
                + " SIGTERM%n", held.get(), failed.get(), non2xx.get(), o.connections(), o.url()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.printf(
                "loadgen idle: stopping; the server closed %d of the %d held connections meanwhile%n",
                closedByServer.get(), held.get())));
        new CountDownLatch(1).await();
        return 0;
    }

    /** One held connection: counts its first answer, then only notices if the server closes it. */
    private final class Held extends SimpleChannelInboundHandler<HttpObject> {
        private boolean answered;
        private boolean ok;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                ok = response.status().code() / 100 == 2;
            }
            if (msg instanceof LastHttpContent && !answered) {
                answered = true;
                held.incrementAndGet();
                if (!ok) {
                    non2xx.incrementAndGet();
                }
                opening.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (answered) {
                closedByServer.incrementAndGet();
            } else {
                failed.incrementAndGet();
                opening.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
