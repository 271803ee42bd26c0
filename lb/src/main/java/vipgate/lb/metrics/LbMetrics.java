package vipgate.lb.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Every metric of the lb engine, kept across reloads (a reload keeps the series of listeners and servers that
 * stay configured). Event loops record; the admin API and the .hlog writer read, through {@link #roll} at a fixed
 * interval and {@link #distributions} on demand.
 */
public final class LbMetrics {
    private final Map<String, ListenerMetrics> listeners = new ConcurrentSkipListMap<>();
    private final Map<String, UpstreamMetrics> upstreams = new ConcurrentSkipListMap<>();
    private long intervalStartMillis = System.currentTimeMillis();

    /**
     * A latency distribution: since start (never reset; null in what {@link #roll} returns) and over the last
     * completed interval.
     */
    public record Distribution(LatencySeries.Key key, Histogram total, Histogram interval) {
        public String name() {
            return key.name();
        }
    }

    public ListenerMetrics listener(String address) {
        return listeners.computeIfAbsent(address, ListenerMetrics::new);
    }

    public UpstreamMetrics upstream(String name) {
        return upstreams.computeIfAbsent(name, UpstreamMetrics::new);
    }

    public List<ListenerMetrics> listeners() {
        return List.copyOf(listeners.values());
    }

    public List<UpstreamMetrics> upstreams() {
        return List.copyOf(upstreams.values());
    }

    /** Forgets listeners, upstreams and servers a reload removed; what stays keeps counting. */
    public void retain(Set<String> listenerAddresses, Map<String, Set<String>> serversByUpstream) {
        listeners.keySet().retainAll(listenerAddresses);
        upstreams.keySet().retainAll(serversByUpstream.keySet());
        upstreams.forEach((name, u) -> u.retainServers(serversByUpstream.get(name)));
    }

    /**
     * Ends the current interval of every series and returns the intervals that just ended, tagged by series name
     * (upstream-level ones merged from their servers'), for the .hlog file.
     */
    public synchronized List<Distribution> roll() {
        long end = System.currentTimeMillis();
        long start = intervalStartMillis;
        intervalStartMillis = end;
        List<Distribution> out = new ArrayList<>();
        collect(out, s -> {
            Histogram h = s.roll(start, end);
            return new Distribution(s.key(), null, h);
        });
        return out;
    }

    /** Every distribution, cumulative and last interval, in a stable order: listeners, upstreams, servers. */
    public synchronized List<Distribution> distributions() {
        List<Distribution> out = new ArrayList<>();
        collect(out, s -> {
            Histogram total = LatencySeries.newHistogram();
            Histogram interval = LatencySeries.newHistogram();
            s.addTotalTo(total);
            s.addLastIntervalTo(interval);
            return new Distribution(s.key(), total, interval);
        });
        return out;
    }

    public Optional<Distribution> distribution(String name) {
        return distributions().stream().filter(d -> d.name().equals(name)).findFirst();
    }

    private void collect(List<Distribution> out, Function<LatencySeries, Distribution> read) {
        for (ListenerMetrics l : listeners.values()) {
            out.add(read.apply(l.requestTime()));
        }
        List<Distribution> servers = new ArrayList<>();
        for (UpstreamMetrics u : upstreams.values()) {
            Map<String, Distribution> merged = new java.util.LinkedHashMap<>();
            for (ServerMetrics s : u.servers()) {
                for (LatencySeries series : s.series()) {
                    Distribution d = read.apply(series);
                    servers.add(d);
                    String kind = series.key().kind();
                    merged.put(kind, merge(merged.get(kind), new LatencySeries.Key("upstream", kind, Map.of("upstream", u.name())), d));
                }
            }
            out.addAll(merged.values());
        }
        out.addAll(servers);
    }

    private static Distribution merge(Distribution into, LatencySeries.Key key, Distribution d) {
        if (into == null) {
            into = new Distribution(key, d.total() == null ? null : LatencySeries.newHistogram(), LatencySeries.newHistogram());
            into.interval().setStartTimeStamp(d.interval().getStartTimeStamp());
            into.interval().setEndTimeStamp(d.interval().getEndTimeStamp());
        }
        if (d.total() != null) {
            into.total().add(d.total());
        }
        into.interval().add(d.interval());
        return into;
    }
}
