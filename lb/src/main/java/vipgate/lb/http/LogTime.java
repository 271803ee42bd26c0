package vipgate.lb.http;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code $time_local} ("22/Nov/2026:02:50:01 +0000") and {@code $time_iso8601} ("2026-11-22T02:50:01+00:00") in the
 * JVM's time zone, as nginx writes them in the server's local time. Both change once a second, so like nginx's
 * cached time strings they are formatted once per second, not per log line; the cache is one immutable object
 * swapped in whole, so event loops share it without locks (two loops may both format a new second, harmlessly).
 */
final class LogTime {
    static final LogTime SYSTEM = new LogTime(ZoneId.systemDefault());

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT);

    private record Second(long epochSecond, String local, String iso8601) {
    }

    private final ZoneId zone;
    private volatile Second cached = new Second(Long.MIN_VALUE, "", "");

    LogTime(ZoneId zone) {
        this.zone = zone;
    }

    String local(long epochMillis) {
        return second(epochMillis).local();
    }

    String iso8601(long epochMillis) {
        return second(epochMillis).iso8601();
    }

    private Second second(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        Second s = cached;
        if (s.epochSecond() != epochSecond) {
            ZonedDateTime t = Instant.ofEpochSecond(epochSecond).atZone(zone);
            s = new Second(epochSecond, LOCAL.format(t), ISO.format(t));
            cached = s;
        }
        return s;
    }
}
