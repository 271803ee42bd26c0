package vipgate.appliance.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vipgate.testkit.NetNs;

/**
 * When the VIP came and went on one box, to the microsecond, from the kernel's own notifications
 * ({@code ip -n BOX -ts monitor address}): polling {@code ip addr} would miss the short windows that matter here.
 */
final class VipTimeline implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("^\\[(\\S+)] (Deleted )?\\d+: \\S+\\s+inet ([0-9.]+)/");

    /** The VIP was added ({@code held}) or deleted at {@code micros} (wall clock, microseconds). */
    record Change(long micros, boolean held) {
    }

    private final Process monitor;
    private final Thread reader;
    private final List<Change> changes = new ArrayList<>();
    private final boolean initiallyHeld;

    private VipTimeline(NetNs box) {
        try {
            monitor = new ProcessBuilder("ip", "-n", box.name(), "-ts", "monitor", "address").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ip monitor", e);
        }
        reader = new Thread(this::read, "vip-timeline-" + box.name());
        reader.setDaemon(true);
        reader.start();
        // read after subscribing: a change in between shows up in both, which the replay tolerates
        initiallyHeld = TwoBoxSegment.holdsVip(box);
    }

    static VipTimeline watch(NetNs box) {
        return new VipTimeline(box);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = LINE.matcher(line);
                if (m.find() && m.group(3).equals(TwoBoxSegment.VIP)) {
                    long micros = ChronoUnit.MICROS.between(Instant.EPOCH,
                            LocalDateTime.parse(m.group(1)).atZone(ZoneId.systemDefault()).toInstant());
                    synchronized (changes) {
                        changes.add(new Change(micros, m.group(2) == null));
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    List<Change> changes() {
        synchronized (changes) {
            return List.copyOf(changes);
        }
    }

    /** Microseconds in which both boxes held the VIP, and in how many separate windows, as {total, windows}. */
    static long[] bothHeld(VipTimeline x, VipTimeline y) {
        List<long[]> all = new ArrayList<>(); // {micros, which, held}
        x.changes().forEach(c -> all.add(new long[] {c.micros(), 0, c.held() ? 1 : 0}));
        y.changes().forEach(c -> all.add(new long[] {c.micros(), 1, c.held() ? 1 : 0}));
        all.sort((p, q) -> Long.compare(p[0], q[0]));
        boolean[] held = {x.initiallyHeld, y.initiallyHeld};
        long total = 0;
        long windows = 0;
        long since = 0;
        for (long[] e : all) {
            boolean before = held[0] && held[1];
            held[(int) e[1]] = e[2] == 1;
            boolean after = held[0] && held[1];
            if (!before && after) {
                since = e[0];
                windows++;
            } else if (before && !after) {
                total += e[0] - since;
            }
        }
        return new long[] {total, windows};
    }

    @Override
    public void close() {
        monitor.destroy();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
