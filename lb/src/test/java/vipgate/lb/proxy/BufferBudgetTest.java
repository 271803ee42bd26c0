package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BufferBudgetTest {
    private final List<Channel> clients = new ArrayList<>();
    private final AtomicLong used = new AtomicLong();
    private final BufferBudget budget = new BufferBudget(clients, 1000, used::get);
    private final List<Object> events = new ArrayList<>();

    private EmbeddedChannel client() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(100, 200));
        clients.add(ch);
        return ch;
    }

    @Test
    void overTheLimitNewWorkIsRefusedAndTheSlowReadersAreCut() {
        EmbeddedChannel slow = client();
        EmbeddedChannel fast = client();
        used.set(1000);
        assertThat(budget.admit()).isTrue();
        slow.write(Unpooled.buffer().writeZero(300));
        assertThat(slow.isWritable()).isFalse();

        used.set(1001);
        assertThat(budget.admit()).isFalse();
        assertThat(budget.shedCount()).isEqualTo(1);
        // only the connection that does not keep up is told to give its buffers back
        assertThat(events).containsExactly(BufferBudget.SHED);

        // the next refusal within the sweep interval does not sweep again
        assertThat(budget.admit()).isFalse();
        assertThat(events).hasSize(1);

        used.set(10);
        assertThat(budget.admit()).isTrue();
        slow.finishAndReleaseAll();
        fast.finishAndReleaseAll();
    }

    @Test
    void autoIsThreeQuartersOfTheDirectMemory() {
        BufferBudget auto = new BufferBudget(List.of(), 0);
        assertThat(auto.limit()).isEqualTo(PlatformDependent.maxDirectMemory() / 4 * 3);
        auto.limit(64L << 20);
        assertThat(auto.limit()).isEqualTo(64L << 20);
    }

    /** The real measure moves with what the allocator takes from the JVM's direct memory. */
    @Test
    void theDirectMemoryInUseIsMeasured() {
        BufferBudget real = new BufferBudget(List.of(), 1);
        io.netty.buffer.ByteBuf b = Unpooled.directBuffer(1 << 20);
        try {
            assertThat(real.exceeded()).isTrue();
        } finally {
            b.release();
        }
    }
}
