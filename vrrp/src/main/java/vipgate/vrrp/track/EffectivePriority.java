package vipgate.vrrp.track;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * keepalived's priority arithmetic for one instance. A weight-0 object that FAILED puts the instance in
 * FAULT. Otherwise a positive weight is added while OK and a negative one added (subtracted) while FAILED;
 * the sum over the base priority is clamped to 1..254, so tracking can never make a node the address owner
 * nor give up its right to be elected. An address owner (255) is never adjusted; only FAULT applies to it.
 *
 * <p>Pure, mutable and not thread-safe: the engine feeds verdicts and reads {@link #evaluate()}.
 */
public final class EffectivePriority {

    /** @param faults what puts the instance in FAULT, for the status page and the log; empty when none */
    public record Result(int priority, List<TrackedObject> faults) {
        public Result {
            faults = List.copyOf(faults);
        }

        public boolean fault() {
            return !faults.isEmpty();
        }
    }

    private final int basePriority;
    private final Map<TrackedObject, TrackStatus> status = new LinkedHashMap<>();

    /** Every tracked object starts {@link TrackStatus#UNKNOWN}; interfaces and the lb should be set before start. */
    public EffectivePriority(int basePriority, List<TrackedObject> tracked) {
        if (basePriority < 1 || basePriority > 255) {
            throw new IllegalArgumentException("priority must be 1..255, got " + basePriority);
        }
        this.basePriority = basePriority;
        tracked.forEach(t -> status.put(t, TrackStatus.UNKNOWN));
    }

    /** Records a verdict; true when the result may have changed (the status differs from the previous one). */
    public boolean set(TrackedObject object, TrackStatus verdict) {
        Objects.requireNonNull(verdict, "verdict");
        if (!status.containsKey(object)) {
            throw new IllegalArgumentException(object + " is not tracked by this instance");
        }
        return status.put(object, verdict) != verdict;
    }

    /** Sets every tracked object of this kind and name (a script tracked twice with different weights). */
    public boolean set(TrackedObject.Kind kind, String name, TrackStatus verdict) {
        boolean changed = false;
        for (TrackedObject t : status.keySet()) {
            if (t.kind() == kind && t.name().equals(name)) {
                changed |= set(t, verdict);
            }
        }
        return changed;
    }

    public Result evaluate() {
        int sum = basePriority;
        List<TrackedObject> faults = new ArrayList<>();
        for (Map.Entry<TrackedObject, TrackStatus> e : status.entrySet()) {
            TrackedObject t = e.getKey();
            TrackStatus s = e.getValue();
            if (t.weight() == 0) {
                if (s == TrackStatus.FAILED) {
                    faults.add(t);
                }
            } else if ((t.weight() > 0 && s == TrackStatus.OK) || (t.weight() < 0 && s == TrackStatus.FAILED)) {
                sum += t.weight();
            }
        }
        int priority = basePriority == 255 ? 255 : Math.max(1, Math.min(254, sum));
        return new Result(priority, faults);
    }

    public Map<TrackedObject, TrackStatus> statuses() {
        return Map.copyOf(status);
    }
}
