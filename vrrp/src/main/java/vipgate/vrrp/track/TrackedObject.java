package vipgate.vrrp.track;

import java.util.Objects;

/**
 * One thing an instance tracks, with the weight it was given there.
 *
 * @param weight 0: failing puts the instance in FAULT; &gt; 0: added to the priority while OK; &lt; 0: added
 *        (so subtracted) while FAILED. keepalived's range -253..253.
 */
public record TrackedObject(Kind kind, String name, int weight) {

    /** Where the verdict comes from. */
    public enum Kind {
        /** A named vrrp script, run by {@link TrackScript}. */
        SCRIPT,
        /** A network interface, up or down (from netlink). */
        INTERFACE,
        /** The local lb engine's own health. */
        LB
    }

    public TrackedObject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (weight < -253 || weight > 253) {
            throw new IllegalArgumentException("weight must be -253..253, got " + weight);
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name + (weight != 0 ? " weight " + weight : "");
    }
}
