package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {
    private static HttpContent bytes(int n) {
        return new DefaultHttpContent(Unpooled.buffer(n).writeZero(n));
    }

    @Test
    void piecesAreReplayedAsDuplicatesTheBufferKeeps() {
        ReplayBuffer b = new ReplayBuffer();
        HttpContent piece = bytes(10);
        b.hold(piece);
        HttpContent copy = b.replay(0);
        assertThat(copy.content().readableBytes()).isEqualTo(10);
        copy.release();
        assertThat(piece.refCnt()).isEqualTo(1);
        assertThat(b.pieces()).isEqualTo(1);
        b.release();
        assertThat(piece.refCnt()).isZero();
        assertThat(b.pieces()).isZero();
        assertThat(b.dropped()).as("released at the end, not dropped").isFalse();
    }

    @Test
    void moreIsKeptOnlyWithinTheLimit() {
        ReplayBuffer b = new ReplayBuffer();
        b.hold(bytes(ReplayBuffer.LIMIT - 10));
        assertThat(b.keeps(10)).isTrue();
        assertThat(b.keeps(11)).isFalse();
        assertThat(b.overLimit()).isFalse();
        b.hold(bytes(11));
        assertThat(b.overLimit()).as("held before the request went out, over what a retry may send").isTrue();
        b.release();
    }

    @Test
    void aDroppedBodyReleasesItsPiecesAndKeepsNothingMore() {
        ReplayBuffer b = new ReplayBuffer();
        HttpContent first = bytes(1);
        HttpContent second = bytes(1);
        b.hold(first);
        b.hold(second);
        b.drop();
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
        assertThat(b.dropped()).isTrue();
        assertThat(b.keeps(0)).isFalse();
        assertThat(b.pieces()).isZero();
    }

    @Test
    void manyPiecesGrowTheBuffer() {
        ReplayBuffer b = new ReplayBuffer();
        for (int i = 0; i < 100; i++) {
            b.hold(bytes(1));
        }
        assertThat(b.pieces()).isEqualTo(100);
        b.release();
    }
}
