package vipgate.lb.config;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vipgate.config.HostPort;
import vipgate.config.Section;
import vipgate.health.HealthCheckSpec;
import vipgate.lb.http.Template;
import vipgate.lb.upstream.Algorithm;

/** The whole lb engine configuration, bound from {@code vipgate.lb}. Immutable; a reload builds a new one. */
public record LbConfig(Transport transport, int eventLoops, ClientSpec client, Duration shutdownDrain,
        Map<String, UpstreamSpec> upstreams, List<VirtualServerSpec> servers, MetricsSpec metrics,
        AccessLogSpec accessLog, boolean warmup, long maxBufferMemory, BufferingSpec buffering) {

    /**
     * Reads {@code vipgate.lb}; problems are recorded in the section's collector, never thrown, so every
     * mistake of a file is reported at once.
     */
    public static LbConfig bind(Section lb, Config reference) {
        Config upstreamDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.upstream");
        Config serverDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.upstream-server");
        Config vhostDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.server");
        Config locationDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.location");
        Config healthDefaults = Section.elementDefaults(reference, "vipgate-defaults.health-check");
        Config tlsDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.tls");
        Config certificateDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.tls-certificate");
        // certificates are checked against the clock of the load: one that expired is refused at start and reload
        Instant now = Instant.now();

        Transport transport = lb.enumValue("transport", Transport.class);
        int eventLoops = lb.integerOrAuto("event-loops");
        if (eventLoops < 0) {
            lb.problem("event-loops", "write auto or a positive number");
            eventLoops = 0;
        }
        ClientSpec client = bindClient(lb.section("client"));
        Duration drain = lb.duration("shutdown-drain");

        Map<String, UpstreamSpec> upstreams = new LinkedHashMap<>();
        lb.namedObjects("upstreams", upstreamDefaults).forEach((name, u) ->
                upstreams.put(name, bindUpstream(name, u, serverDefaults, healthDefaults)));

        List<VirtualServerSpec> servers = new ArrayList<>();
        List<Section> serverSections = lb.objectList("servers", vhostDefaults);
        for (Section s : serverSections) {
            servers.add(bindVirtualServer(s, locationDefaults, upstreams.keySet(), tlsDefaults, certificateDefaults, now));
        }
        checkTlsAgreement(serverSections, servers);
        MetricsSpec metrics = bindMetrics(lb.section("metrics"));
        AccessLogSpec accessLog = bindAccessLog(lb);
        return new LbConfig(transport, eventLoops, client, drain, Map.copyOf(upstreams), List.copyOf(servers), metrics,
                accessLog, lb.bool("warmup"), lb.bytesOrAuto("max-buffer-memory"), bindBuffering(lb.section("proxy-buffering")));
    }

    private static BufferingSpec bindBuffering(Section b) {
        long memory = b.bytes("memory");
        if (memory < 0 || memory > 1L << 30) {
            b.problem("memory", "must be between 0 and 1g, got " + memory);
        }
        long file = b.bytes("max-temp-file");
        if (file < 0) {
            b.problem("max-temp-file", "must not be negative");
        }
        String dir = b.string("temp-path").trim();
        Path temp = Path.of(dir.isEmpty() ? System.getProperty("java.io.tmpdir") : dir);
        if (!temp.isAbsolute()) {
            b.problem("temp-path", "write an absolute path such as \"/var/tmp\", or \"\" for the JVM's temporary directory");
        }
        return new BufferingSpec(b.bool("responses"), b.bool("requests"), memory, file, temp);
    }

    /** Every format is checked, used or not (as nginx checks every log_format); access-log.format names one. */
    private static AccessLogSpec bindAccessLog(Section lb) {
        Map<String, String> formats = lb.stringMap("log-formats");
        formats.forEach((name, text) -> checkTemplate(lb, "log-formats", name + ": ", text));
        Section a = lb.section("access-log");
        String path = a.string("path").trim();
        if (!path.isEmpty() && !Path.of(path).isAbsolute()) {
            a.problem("path", "write an absolute path such as \"/var/log/vipgate/access.log\", or \"\" for no access log");
        }
        String name = a.string("format");
        String format = formats.get(name);
        if (format == null) {
            a.problem("format", "no log format named '" + name + "'; define vipgate.lb.log-formats." + name
                    + " or use one of " + formats.keySet());
            format = "";
        }
        long buffer = a.bytes("buffer");
        if (buffer < 4096 || buffer > 1L << 30) {
            a.problem("buffer", "must be between 4k and 1g, got " + buffer);
        }
        return new AccessLogSpec(path.isEmpty() ? Optional.empty() : Optional.of(Path.of(path)), format, buffer,
                a.positiveDuration("flush"));
    }

    private static MetricsSpec bindMetrics(Section m) {
        Duration interval = m.positiveDuration("interval");
        Section hlog = m.section("hlog");
        String path = hlog.string("path").trim();
        return new MetricsSpec(interval, path.isEmpty() ? Optional.empty() : Optional.of(Path.of(path)),
                hlog.positiveDuration("rotate-every"), hlog.integer("keep", 0, 10_000));
    }

    private static ClientSpec bindClient(Section c) {
        Duration keepalive = c.duration("keepalive-timeout");
        return new ClientSpec(c.positiveDuration("header-timeout"), c.positiveDuration("body-timeout"), keepalive,
                c.integer("keepalive-requests", 1, Integer.MAX_VALUE), sizeInt(c, "max-uri"),
                sizeInt(c, "max-header-size"), c.integer("max-headers", 1, 10_000), c.bytes("max-body-size"),
                c.positiveDuration("send-timeout"), c.bool("underscores-in-headers"));
    }

    private static UpstreamSpec bindUpstream(String name, Section u, Config serverDefaults, Config healthDefaults) {
        Algorithm algorithm = u.enumValue("algorithm", Algorithm.class);
        String hashKey = u.string("hash-key");
        checkTemplate(u, "hash-key", "", hashKey);
        List<ServerSpec> servers = new ArrayList<>();
        List<Section> entries = u.objectList("servers", serverDefaults);
        for (Section s : entries) {
            HostPort address = null;
            try {
                address = HostPort.parse(s.string("address"));
            } catch (IllegalArgumentException e) {
                s.problem("address", e.getMessage());
            }
            ServerSpec spec = new ServerSpec(address, s.integer("weight", 1, 1000), s.integer("max-fails", 0, 1000),
                    s.duration("fail-timeout"), s.bool("backup"), s.bool("down"), s.integer("max-conns", 0, 1_000_000));
            if (address != null) {
                servers.add(spec);
            }
        }
        if (entries.isEmpty()) {
            u.problem("servers", "upstream '" + name + "' has no servers; add servers = [ { address = \"host:port\" } ]");
        }
        if (!servers.isEmpty() && servers.stream().allMatch(ServerSpec::backup)) {
            u.problem("servers", "upstream '" + name + "' has only backup servers; mark at least one with backup = false");
        }
        Section k = u.section("keepalive");
        KeepaliveSpec keepalive = new KeepaliveSpec(k.integer("idle", 0, 100_000), k.duration("idle-timeout"),
                k.integer("max-requests", 1, Integer.MAX_VALUE), k.duration("surplus-timeout"));
        Section n = u.section("next-upstream");
        Set<NextUpstreamSpec.RetryOn> on = EnumSet.noneOf(NextUpstreamSpec.RetryOn.class);
        for (String word : n.strings("on")) {
            try {
                on.add(NextUpstreamSpec.RetryOn.valueOf(word.trim().toUpperCase().replace('-', '_')));
            } catch (IllegalArgumentException e) {
                n.problem("on", "unknown condition '" + word
                        + "'; write some of error, timeout, invalid-header, http-500, http-502, http-503, http-504, http-429, off");
            }
        }
        if (on.contains(NextUpstreamSpec.RetryOn.OFF)) {
            on = EnumSet.noneOf(NextUpstreamSpec.RetryOn.class);
        }
        NextUpstreamSpec next = new NextUpstreamSpec(Set.copyOf(on), n.integer("tries", 0, 1000), n.duration("timeout"),
                n.bool("non-idempotent"));
        HealthCheckSpec health = HealthCheckSpec.bind(u.section("health-check", healthDefaults));
        return new UpstreamSpec(name, algorithm, hashKey, List.copyOf(servers), keepalive, next,
                u.positiveDuration("connect-timeout"), u.positiveDuration("read-timeout"), u.positiveDuration("send-timeout"), health);
    }

    /**
     * Servers sharing a socket (the same address, or any address and a wildcard on its port, which binds them all)
     * must all be TLS or all plaintext: one socket cannot be both, and nginx's "listen 443 ssl" beside a plaintext
     * "listen 443" is the same error there.
     */
    private static void checkTlsAgreement(List<Section> sections, List<VirtualServerSpec> servers) {
        for (int i = 0; i < servers.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (servers.get(i).tls().isPresent() == servers.get(j).tls().isPresent()) {
                    continue;
                }
                for (HostPort a : servers.get(i).listen()) {
                    for (HostPort b : servers.get(j).listen()) {
                        if (a.port() == b.port() && (a.host().equals(b.host()) || isWildcard(a.host()) || isWildcard(b.host()))) {
                            boolean tlsHere = servers.get(i).tls().isPresent();
                            sections.get(i).problem("listen", a + (tlsHere ? " is TLS here but " : " is plaintext here but ")
                                    + b + " of " + sections.get(j).path() + " (" + where(sections.get(j)) + ") is "
                                    + (tlsHere ? "plaintext" : "TLS") + " on the same socket; give both servers a tls block, "
                                    + "or neither, or listen on another port");
                        }
                    }
                }
            }
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    private static String where(Section s) {
        return "line " + s.originOf("listen").lineNumber();
    }

    private static VirtualServerSpec bindVirtualServer(Section s, Config locationDefaults, Set<String> upstreamNames,
            Config tlsDefaults, Config certificateDefaults, Instant now) {
        List<HostPort> listen = new ArrayList<>();
        for (String l : s.stringOrList("listen")) {
            try {
                listen.add(HostPort.parse(l));
            } catch (IllegalArgumentException e) {
                s.problem("listen", e.getMessage());
            }
        }
        if (listen.isEmpty()) {
            s.problem("listen", "a server needs at least one listen address such as \"0.0.0.0:80\"");
        }
        List<String> names = s.stringOrList("server-names");
        List<LocationSpec> locations = new ArrayList<>();
        for (Section l : s.objectList("locations", locationDefaults)) {
            String rawPath = l.string("path").trim();
            boolean exact = rawPath.startsWith("=");
            String path = exact ? rawPath.substring(1).trim() : rawPath;
            if (!path.startsWith("/")) {
                l.problem("path", "a location path starts with '/', e.g. \"/\" or \"= /health\"; got '" + rawPath + "'");
            }
            String upstream = l.string("upstream");
            if (!upstreamNames.contains(upstream)) {
                l.problem("upstream", "no upstream named '" + upstream + "'; define vipgate.lb.upstreams." + upstream
                        + " or use one of " + upstreamNames);
            }
            Map<String, String> requestHeaders = l.stringMap("request-headers");
            Map<String, String> responseHeaders = l.stringMap("response-headers");
            requestHeaders.forEach((name, value) -> checkTemplate(l, "request-headers", name + ": ", value));
            responseHeaders.forEach((name, value) -> checkTemplate(l, "response-headers", name + ": ", value));
            locations.add(new LocationSpec(path, exact, upstream, requestHeaders, responseHeaders));
        }
        if (locations.isEmpty()) {
            s.problem("locations", "a server needs at least one location, e.g. [ { path = \"/\", upstream = web } ]");
        }
        Map<Integer, Path> errorPages = new LinkedHashMap<>();
        s.stringMap("error-pages").forEach((code, file) -> {
            int status;
            try {
                status = Integer.parseInt(code);
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 400 || status > 599) {
                s.problem("error-pages", "'" + code + "' is not an error status; write a code from 400 to 599");
            } else if (!Files.isReadable(Path.of(file))) {
                s.problem("error-pages", "cannot read " + file + " for status " + code + "; check the path and permissions");
            } else {
                errorPages.put(status, Path.of(file));
            }
        });
        Optional<TlsSpec> tls = TlsSpec.bind(s, tlsDefaults, certificateDefaults, names, now);
        return new VirtualServerSpec(List.copyOf(listen), List.copyOf(names), s.bool("default"), List.copyOf(locations),
                Map.copyOf(errorPages), tls);
    }

    /**
     * Header values and the hash key are nginx templates, compiled only when the engine applies the config: a
     * misspelt variable must be a problem at its line here (so {@code vipgate check} reports it), not an
     * exception at start or reload.
     */
    private static void checkTemplate(Section s, String key, String prefix, String template) {
        try {
            Template.parse(template);
        } catch (IllegalArgumentException e) {
            s.problem(key, prefix + e.getMessage());
        }
    }

    private static int sizeInt(Section s, String key) {
        long b = s.bytes(key);
        if (b < 256 || b > 1 << 20) {
            s.problem(key, "must be between 256 and 1m, got " + b);
            return (int) Math.max(256, Math.min(1 << 20, b));
        }
        return (int) b;
    }
}
