package vipgate.lb.config;

import java.util.List;
import java.util.Map;

/**
 * nginx's {@code limit_req_zone} and {@code limit_conn_zone} definitions by name with {@code limit_req_status} and
 * {@code limit_conn_status}: the zones the servers' and locations' {@link Applied} limits name.
 */
public record LimitsSpec(Map<String, ZoneSpec> zones, int status, Map<String, ConnZoneSpec> connZones, int connStatus) {

    /** A request-rate zone: its key template, its rate in thousandths of a request per second, its size in bytes. */
    public record ZoneSpec(String key, long milliRate, long size) {
    }

    /** A concurrency zone (limit_conn_zone): its key template and its size in bytes. */
    public record ConnZoneSpec(String key, long size) {
    }

    /** nginx's {@code limit_req zone=NAME burst=N [nodelay | delay=N]}. */
    public record LimitReqSpec(String zone, int burst, int delay) {
    }

    /** nginx's {@code limit_conn NAME N}. */
    public record LimitConnSpec(String zone, int max) {
    }

    /** The limits of one server or location; each list, when empty, is the server's (for a location). */
    public record Applied(List<LimitReqSpec> req, List<LimitConnSpec> conn) {
        public Applied {
            req = List.copyOf(req);
            conn = List.copyOf(conn);
        }
    }
}
