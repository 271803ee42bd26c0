package vipgate.lb.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BodySpoolTest {
    @TempDir
    Path dir;

    private static HttpContent content(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
    }

    @Test
    void memoryFirstThenTheFileInOrderThenTheEndWithItsTrailers() throws Exception {
        BodySpool spool = new BodySpool(8, 1 << 20, dir);
        spool.add(content("abcd"));
        spool.add(content("efgh"));
        // beyond 8 bytes: the file, unlinked at once
        spool.add(content("ijklmnop"));
        spool.add(content("q"));
        LastHttpContent end = new DefaultLastHttpContent(Unpooled.copiedBuffer("rs", StandardCharsets.US_ASCII));
        end.trailingHeaders().set("x-checksum", "1");
        spool.add(end);
        assertThat(end.refCnt()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpContent c;
        LastHttpContent last = null;
        while ((c = spool.next(ByteBufAllocator.DEFAULT)) != null) {
            ByteBuf b = c.content();
            b.readBytes(out, b.readableBytes());
            if (c instanceof LastHttpContent l) {
                last = l;
            }
            c.release();
        }
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("abcdefghijklmnopqrs");
        assertThat(last).isNotNull();
        assertThat(last.trailingHeaders().get("x-checksum")).isEqualTo("1");
        assertThat(spool.isEmpty()).isTrue();
        spool.release();
    }

    @Test
    void fullWhenTheFileReachesItsLimitAndNotOnceDrained() {
        BodySpool spool = new BodySpool(0, 10, dir);
        spool.add(content("0123456789"));
        assertThat(spool.full()).isTrue();
        spool.next(ByteBufAllocator.DEFAULT).release();
        assertThat(spool.full()).isFalse();
        assertThat(spool.isEmpty()).isTrue();
        spool.release();
    }

    @Test
    void releaseFreesWhatWaits() {
        BodySpool spool = new BodySpool(1 << 10, 0, dir);
        HttpContent c = content("held");
        ByteBuf bytes = c.content();
        spool.add(c);
        assertThat(bytes.refCnt()).isEqualTo(1);
        spool.release();
        assertThat(bytes.refCnt()).isZero();
    }
}
