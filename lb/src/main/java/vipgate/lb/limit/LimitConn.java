package vipgate.lb.limit;

import java.util.ArrayList;
import java.util.List;
import vipgate.lb.http.RequestVariables;

/**
 * nginx's {@code limit_conn ZONE N} of a server or location: at most {@code max} requests of one key served at once.
 * Immutable.
 */
public record LimitConn(LimitConnZone zone, int max) {

    /** What a request holds in its zones until it ends; {@link #release()} once, at the end. */
    public static final class Held {
        static final Held NOTHING = new Held(List.of());
        private final List<LimitConnZone> zones;
        private final List<String> keys;
        private boolean released;

        private Held(List<LimitConnZone> zones) {
            this.zones = zones;
            this.keys = new ArrayList<>(zones.size());
        }

        /** Gives back every count taken; again does nothing. */
        public void release() {
            if (released || keys.isEmpty()) {
                return;
            }
            released = true;
            for (int i = 0; i < keys.size(); i++) {
                zones.get(i).release(keys.get(i));
            }
        }
    }

    /**
     * Counts a request against every limit in order: null when one refuses it (the counts taken before are given back,
     * as nginx's cleanup does at once for a refused request), else what it holds. An empty key is not limited.
     */
    public static Held acquire(List<LimitConn> limits, RequestVariables vars) {
        if (limits.isEmpty()) {
            return Held.NOTHING;
        }
        List<LimitConnZone> zones = new ArrayList<>(limits.size());
        Held held = new Held(zones);
        for (LimitConn l : limits) {
            String key = l.zone().key().evaluate(vars);
            if (key.isEmpty()) {
                continue;
            }
            if (!l.zone().acquire(key, l.max())) {
                held.release();
                return null;
            }
            zones.add(l.zone());
            held.keys.add(key);
        }
        return held;
    }
}
