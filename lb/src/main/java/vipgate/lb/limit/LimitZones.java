package vipgate.lb.limit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vipgate.lb.config.LimitsSpec;
import vipgate.lb.http.Template;

/**
 * The running limit_req and limit_conn zones by name with the statuses of their refusals. Immutable; a reload
 * compiles a new one that keeps every zone whose definition did not change, so its counts survive as nginx's shared
 * zones do.
 */
public record LimitZones(Map<String, LimitZone> req, Map<String, LimitConnZone> conn, int reqStatus, int connStatus) {
    public static final LimitZones NONE = new LimitZones(Map.of(), Map.of(), 503, 503);

    public LimitZones {
        req = Map.copyOf(req);
        conn = Map.copyOf(conn);
    }

    /** The zones of {@code spec}, reusing those of {@code running} that it defines again unchanged. */
    public static LimitZones compile(LimitsSpec spec, LimitZones running) {
        Map<String, LimitZone> req = new HashMap<>();
        spec.zones().forEach((name, z) -> {
            LimitZone old = running.req().get(name);
            req.put(name, old != null && old.sameDefinition(z.key(), z.milliRate(), z.size()) ? old
                    : new LimitZone(name, Template.parse(z.key()), z.milliRate(), z.size()));
        });
        Map<String, LimitConnZone> conn = new HashMap<>();
        spec.connZones().forEach((name, z) -> {
            LimitConnZone old = running.conn().get(name);
            conn.put(name, old != null && old.sameDefinition(z.key(), z.size()) ? old
                    : new LimitConnZone(name, Template.parse(z.key()), z.size()));
        });
        return new LimitZones(req, conn, spec.status(), spec.connStatus());
    }

    /** The limits a server or location applies, with its zones resolved. */
    public Limits limits(LimitsSpec.Applied applied) {
        List<LimitReq> r = applied.req().stream().map(l -> new LimitReq(req.get(l.zone()), l.burst(), l.delay())).toList();
        List<LimitConn> c = applied.conn().stream().map(l -> new LimitConn(conn.get(l.zone()), l.max())).toList();
        return new Limits(r, c);
    }
}
