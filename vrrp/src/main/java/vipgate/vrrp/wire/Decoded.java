package vipgate.vrrp.wire;

import java.util.Objects;

/** The outcome of {@link VrrpPacket#decode}: an advertisement for the instance, or why it was dropped. */
public sealed interface Decoded {

    record Accepted(VrrpPacket packet) implements Decoded {
        public Accepted {
            Objects.requireNonNull(packet, "packet");
        }
    }

    /** @param detail what was seen against what was expected, for a rate-limited log line */
    record Dropped(DropReason reason, String detail) implements Decoded {
        public Dropped {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
