package vipgate.lb.config;

import java.util.Map;

/**
 * nginx's {@code limit_req_zone} definitions by name and {@code limit_req_status}: the zones the servers' and
 * locations' {@link LimitReqSpec}s name.
 */
public record LimitsSpec(Map<String, ZoneSpec> zones, int status) {

    /** A zone: its key template, its rate in thousandths of a request per second, its size in bytes. */
    public record ZoneSpec(String key, long milliRate, long size) {
    }

    /** nginx's {@code limit_req zone=NAME burst=N [nodelay | delay=N]}. */
    public record LimitReqSpec(String zone, int burst, int delay) {
    }
}
