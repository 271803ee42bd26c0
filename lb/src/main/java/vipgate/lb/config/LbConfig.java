package vipgate.lb.config;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import vipgate.balance.Algorithm;
import vipgate.config.HostPort;
import vipgate.config.Section;
import vipgate.health.HealthCheckSpec;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.Cidr;
import vipgate.lb.http.Template;
import vipgate.lb.route.LocationPath;
import vipgate.lb.route.NginxRegex;
import vipgate.lb.route.Return;
import vipgate.lb.route.Rewrite;
import vipgate.lb.route.Router;
import vipgate.transport.Transport;

/** The whole lb engine configuration, bound from {@code vipgate.lb}. Immutable; a reload builds a new one. */
public record LbConfig(Transport transport, int eventLoops, ClientSpec client, Duration shutdownDrain,
        Map<String, UpstreamSpec> upstreams, List<VirtualServerSpec> servers, MetricsSpec metrics,
        AccessLogSpec accessLog, boolean warmup, long maxBufferMemory, BufferingSpec buffering, LimitsSpec limits,
        Map<String, MapSpec> maps) {

    /**
     * Reads {@code vipgate.lb}; problems are recorded in the section's collector, never thrown, so every
     * mistake of a file is reported at once.
     */
    public static LbConfig bind(Section lb, Config reference) {
        Config upstreamDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.upstream");
        Config serverDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.upstream-server");
        Config vhostDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.server");
        Config locationDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.location");
        Config rewriteDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.rewrite");
        Config healthDefaults = Section.elementDefaults(reference, "vipgate-defaults.health-check");
        Config tlsDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.tls");
        Config certificateDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.tls-certificate");
        Config upstreamTlsDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.upstream-tls");
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
                upstreams.put(name, bindUpstream(name, u, serverDefaults, healthDefaults, upstreamTlsDefaults, now)));

        Config zoneDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.limit-req-zone");
        Map<String, LimitsSpec.ZoneSpec> zones = new LinkedHashMap<>();
        lb.namedObjects("limit-req-zones", zoneDefaults).forEach((name, z) -> zones.put(name, bindZone(z)));
        int limitStatus = lb.integer("limit-req-status", 400, 599);
        Config connZoneDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.limit-conn-zone");
        Map<String, LimitsSpec.ConnZoneSpec> connZones = new LinkedHashMap<>();
        lb.namedObjects("limit-conn-zones", connZoneDefaults).forEach((name, z) -> connZones.put(name, bindConnZone(z)));
        int connStatus = lb.integer("limit-conn-status", 400, 599);
        Map<String, MapSpec> maps = new LinkedHashMap<>();
        Config mapValueDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.map-value");
        lb.namedObjects("maps", Section.elementDefaults(reference, "vipgate-defaults.lb.map"))
                .forEach((name, m) -> maps.put(name, bindMap(name, m, mapValueDefaults)));
        Config limitDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.limit-req");
        Config connDefaults = Section.elementDefaults(reference, "vipgate-defaults.lb.limit-conn");
        Binding binding = new Binding(locationDefaults, rewriteDefaults, limitDefaults, connDefaults, upstreams.keySet(),
                zones.keySet(), connZones.keySet(), maps.keySet(), tlsDefaults, certificateDefaults, now);
        List<VirtualServerSpec> servers = new ArrayList<>();
        List<Section> serverSections = lb.objectList("servers", vhostDefaults);
        for (Section s : serverSections) {
            servers.add(bindVirtualServer(s, binding));
        }
        checkSocketAgreement(serverSections, servers, "TLS", "plaintext", v -> v.tls().isPresent(),
                "give both servers a tls block, or neither");
        checkSocketAgreement(serverSections, servers, "PROXY protocol", "without PROXY protocol", VirtualServerSpec::proxyProtocol,
                "set proxy-protocol on both servers, or on neither");
        MetricsSpec metrics = bindMetrics(lb.section("metrics"));
        AccessLogSpec accessLog = bindAccessLog(lb);
        return new LbConfig(transport, eventLoops, client, drain, Map.copyOf(upstreams), List.copyOf(servers), metrics,
                accessLog, lb.bool("warmup"), lb.bytesOrAuto("max-buffer-memory"), bindBuffering(lb.section("proxy-buffering")),
                new LimitsSpec(Map.copyOf(zones), limitStatus, Map.copyOf(connZones), connStatus), Map.copyOf(maps));
    }

    /** What binding a server needs from the rest of the file: element defaults and the names it may refer to. */
    private record Binding(Config locationDefaults, Config rewriteDefaults, Config limitDefaults, Config connDefaults,
            Set<String> upstreamNames, Set<String> zoneNames, Set<String> connZoneNames, Set<String> mapNames, Config tlsDefaults,
            Config certificateDefaults, Instant now) {
    }

    /** nginx's map: a name that is no built-in variable, a source, string or regex matches and their values. */
    private static MapSpec bindMap(String name, Section m, Config valueDefaults) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || Template.isBuiltIn(name)) {
            m.problem("source", "'" + name + "' cannot name a map: use letters, digits and '_', and no name of nginx's own"
                    + " variables ($host, $http_*, $arg_*, ...)");
        }
        String source = m.string("source");
        checkTemplate(m, "source", "", source);
        List<MapSpec.Entry> entries = new ArrayList<>();
        for (Section v : m.objectList("values", valueDefaults)) {
            String match = v.string("match");
            if (match.startsWith("~")) {
                boolean caseless = match.startsWith("~*");
                try {
                    NginxRegex.compile(match.substring(caseless ? 2 : 1), caseless);
                } catch (IllegalArgumentException e) {
                    v.problem("match", e.getMessage());
                }
            }
            String value = v.string("value");
            checkMapValue(v, "value", value);
            entries.add(new MapSpec.Entry(match, value));
        }
        String byDefault = m.string("default");
        checkMapValue(m, "default", byDefault);
        return new MapSpec(name, source, entries, byDefault);
    }

    /** A map's value may use variables, but not the map regex's captures, which vipgate does not keep. */
    private static void checkMapValue(Section s, String key, String value) {
        if (MapSpec.usesCaptures(value)) {
            s.problem(key, "vipgate's map values cannot use the captures of the map's regex ($1..$9); match a whole value instead");
        }
        checkTemplate(s, key, "", value);
    }

    private static String bindZoneKey(Section z) {
        String key = z.string("key");
        checkTemplate(z, "key", "", key);
        if (key.isEmpty()) {
            z.problem("key", "a zone needs a key, e.g. \"$binary_remote_addr\"");
        }
        return key;
    }

    private static long bindZoneSize(Section z) {
        long size = z.bytes("size");
        if (size < 8192) {
            z.problem("size", "a zone needs at least 8k, got " + size);
        }
        return size;
    }

    private static LimitsSpec.ConnZoneSpec bindConnZone(Section z) {
        return new LimitsSpec.ConnZoneSpec(bindZoneKey(z), bindZoneSize(z));
    }

    private static LimitsSpec.ZoneSpec bindZone(Section z) {
        String key = bindZoneKey(z);
        String rate = z.string("rate").trim();
        long milliRate = -1;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)r/([sm])").matcher(rate);
        if (m.matches() && Long.parseLong(m.group(1)) > 0 && m.group(1).length() < 10) {
            long n = Long.parseLong(m.group(1));
            // nginx keeps the rate in thousandths of a request per second: 30r/m is 500
            milliRate = m.group(2).equals("s") ? n * 1000 : n * 1000 / 60;
        }
        if (milliRate <= 0) {
            z.problem("rate", "write requests per second or minute, e.g. \"10r/s\" or \"30r/m\"; got '" + rate + "'");
        }
        return new LimitsSpec.ZoneSpec(key, milliRate, bindZoneSize(z));
    }

    private static LimitsSpec.Applied bindLimits(Section s, Binding b) {
        List<LimitsSpec.LimitConnSpec> conn = new ArrayList<>();
        for (Section l : s.objectList("limit-conn", b.connDefaults())) {
            String zone = l.string("zone");
            if (!b.connZoneNames().contains(zone)) {
                l.problem("zone", "no zone named '" + zone + "'; define vipgate.lb.limit-conn-zones." + zone
                        + (b.connZoneNames().isEmpty() ? "" : " or use one of " + b.connZoneNames()));
            }
            int max = l.integer("max", 0, 1_000_000);
            if (max == 0) {
                l.problem("max", "write how many requests of one key may be served at once (nginx limit_conn " + zone + " N)");
            }
            conn.add(new LimitsSpec.LimitConnSpec(zone, max));
        }
        return new LimitsSpec.Applied(bindLimitReq(s, b), conn);
    }

    private static List<LimitsSpec.LimitReqSpec> bindLimitReq(Section s, Binding b) {
        List<LimitsSpec.LimitReqSpec> out = new ArrayList<>();
        for (Section l : s.objectList("limit-req", b.limitDefaults())) {
            String zone = l.string("zone");
            if (!b.zoneNames().contains(zone)) {
                l.problem("zone", "no zone named '" + zone + "'; define vipgate.lb.limit-req-zones." + zone
                        + (b.zoneNames().isEmpty() ? "" : " or use one of " + b.zoneNames()));
            }
            int burst = l.integer("burst", 0, 1_000_000);
            int delay = l.bool("nodelay") ? burst : l.integer("delay", 0, 1_000_000);
            if (l.bool("nodelay") && l.isSetByUser("delay")) {
                l.problem("delay", "nodelay and delay exclude each other, as in nginx");
            }
            out.add(new LimitsSpec.LimitReqSpec(zone, burst, delay));
        }
        return List.copyOf(out);
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

    private static UpstreamSpec bindUpstream(String name, Section u, Config serverDefaults, Config healthDefaults,
            Config tlsDefaults, Instant now) {
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
        Section h = u.section("health-check", healthDefaults);
        HealthCheckSpec health = HealthCheckSpec.bind(h);
        Optional<UpstreamTlsSpec> tls = UpstreamTlsSpec.bind(u, tlsDefaults, now);
        if (tls.isPresent() && health.type() == HealthCheckSpec.Type.HTTP) {
            // a plaintext GET to a TLS port fails every time (nginx: 400 "plain HTTP request was sent to HTTPS port")
            h.problem("type", "the servers of upstream '" + name + "' speak TLS, and an http check is plaintext; "
                    + "use type = tcp (or script) for them");
        }
        return new UpstreamSpec(name, algorithm, hashKey, List.copyOf(servers), keepalive, next,
                u.positiveDuration("connect-timeout"), u.positiveDuration("read-timeout"), u.positiveDuration("send-timeout"), health,
                tls, u.enumValue("send-proxy", UpstreamSpec.SendProxy.class));
    }

    /**
     * Servers sharing a socket (the same address, or any address and a wildcard on its port, which binds them all)
     * must agree on what the socket speaks: TLS or plaintext, PROXY protocol or not. One socket cannot be both, and
     * nginx's "listen 443 ssl" beside a plaintext "listen 443" is the same error there.
     */
    private static void checkSocketAgreement(List<Section> sections, List<VirtualServerSpec> servers, String yes, String no,
            Predicate<VirtualServerSpec> property, String fix) {
        for (int i = 0; i < servers.size(); i++) {
            for (int j = 0; j < i; j++) {
                boolean here = property.test(servers.get(i));
                if (here == property.test(servers.get(j))) {
                    continue;
                }
                for (HostPort a : servers.get(i).listen()) {
                    for (HostPort b : servers.get(j).listen()) {
                        if (a.port() == b.port() && (a.host().equals(b.host()) || Router.isWildcard(a.host()) || Router.isWildcard(b.host()))) {
                            sections.get(i).problem("listen", a + " is " + (here ? yes : no) + " here but " + b + " of "
                                    + sections.get(j).path() + " (" + where(sections.get(j)) + ") is " + (here ? no : yes)
                                    + " on the same socket; " + fix + ", or listen on another port");
                        }
                    }
                }
            }
        }
    }

    private static String where(Section s) {
        return "line " + s.originOf("listen").lineNumber();
    }

    private static VirtualServerSpec bindVirtualServer(Section s, Binding b) {
        Config locationDefaults = b.locationDefaults();
        Config rewriteDefaults = b.rewriteDefaults();
        Set<String> upstreamNames = b.upstreamNames();
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
        // the maps are variables of every template of the server, like the captures of its regexes
        Set<String> serverCaptures = new HashSet<>(b.mapNames());
        List<RewriteSpec> serverRewrites = bindRewrites(s, rewriteDefaults, serverCaptures);
        String serverReturn = bindReturn(s, serverCaptures);
        LimitsSpec.Applied serverLimits = bindLimits(s, b);
        List<String> serverAccess = bindAccess(s);
        Section realIp = s.section("real-ip");
        List<String> trusted = realIp.strings("from");
        trusted.forEach(t -> {
            try {
                Cidr.parse(t);
            } catch (IllegalArgumentException e) {
                realIp.problem("from", e.getMessage());
            }
        });
        String realIpHeader = realIp.string("header");
        if (!realIpHeader.matches("[A-Za-z0-9-]+|proxy_protocol")) {
            realIp.problem("header", "'" + realIpHeader + "' is not a header name; write e.g. X-Real-IP, X-Forwarded-For or proxy_protocol");
        }
        VirtualServerSpec.RealIpSpec realIpSpec = new VirtualServerSpec.RealIpSpec(List.copyOf(trusted), realIpHeader,
                realIp.bool("recursive"));
        boolean proxyProtocol = s.bool("proxy-protocol");
        if (proxyProtocol && trusted.isEmpty()) {
            s.problem("proxy-protocol", "a PROXY protocol header is accepted only from trusted senders: list the load "
                    + "balancers that send it in real-ip.from (nginx set_real_ip_from), e.g. real-ip.from = [\"10.0.0.0/8\"]");
        }
        List<LocationSpec> locations = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Section l : s.objectList("locations", locationDefaults)) {
            Set<String> captures = new HashSet<>(serverCaptures);
            String path;
            LocationPath parsed = null;
            try {
                parsed = LocationPath.parse(l.string("path"));
                path = parsed.toString();
                captures.addAll(parsed.regex() == null ? Set.of() : parsed.regex().names().keySet());
            } catch (IllegalArgumentException e) {
                l.problem("path", e.getMessage());
                path = l.string("path").trim();
            }
            if (!seen.add(parsed != null && parsed.kind() == LocationPath.Kind.PREFIX_NO_REGEX ? parsed.text() : path)) {
                // nginx: "duplicate location"; "/x" and "^~ /x" are the same prefix
                l.problem("path", "duplicate location '" + path + "' in this server");
            }
            List<RewriteSpec> rewrites = bindRewrites(l, rewriteDefaults, captures);
            String returns = bindReturn(l, captures);
            LimitsSpec.Applied limits = bindLimits(l, b);
            List<String> access = bindAccess(l);
            String upstream = l.string("upstream");
            if (!upstream.isEmpty() && !upstreamNames.contains(upstream)) {
                l.problem("upstream", "no upstream named '" + upstream + "'; define vipgate.lb.upstreams." + upstream
                        + " or use one of " + upstreamNames);
            }
            if (upstream.isEmpty() && returns.isEmpty() && rewrites.isEmpty()) {
                l.problem("upstream", "a location needs an upstream, a return or a rewrite, e.g. upstream = web");
            }
            String passUri = l.string("pass-uri");
            if (passUri.contains("$")) {
                // nginx's variable form: the value is the whole target sent, so regex locations may use it
                checkTemplate(l, "pass-uri", "", passUri, captures);
                if (!passUri.startsWith("/") && !passUri.startsWith("$")) {
                    l.problem("pass-uri", "the URI part of nginx's proxy_pass starts with '/' or a variable; got '" + passUri + "'");
                } else if (upstream.isEmpty()) {
                    l.problem("pass-uri", "pass-uri needs an upstream to pass to");
                }
            } else if (!passUri.isEmpty()) {
                if (!passUri.startsWith("/")) {
                    l.problem("pass-uri", "the URI part of nginx's proxy_pass starts with '/', e.g. \"/v2/\"; got '" + passUri + "'");
                } else if (parsed != null && parsed.kind().isRegex()) {
                    l.problem("pass-uri", "a regex location cannot replace a matched prefix (nginx: \"proxy_pass cannot have "
                            + "URI part in location given by regular expression\"); use a rewrite with break");
                } else if (upstream.isEmpty()) {
                    l.problem("pass-uri", "pass-uri needs an upstream to pass to");
                }
            }
            Map<String, String> requestHeaders = l.stringMap("request-headers");
            Map<String, String> responseHeaders = l.stringMap("response-headers");
            requestHeaders.forEach((name, value) -> checkTemplate(l, "request-headers", name + ": ", value, captures));
            responseHeaders.forEach((name, value) -> checkTemplate(l, "response-headers", name + ": ", value, captures));
            locations.add(new LocationSpec(path, rewrites, returns, limits, access, upstream, passUri, requestHeaders,
                    responseHeaders));
        }
        if (locations.isEmpty() && serverReturn.isEmpty()) {
            s.problem("locations", "a server needs at least one location, e.g. [ { path = \"/\", upstream = web } ], or a return");
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
        Optional<TlsSpec> tls = TlsSpec.bind(s, b.tlsDefaults(), b.certificateDefaults(), names, b.now());
        return new VirtualServerSpec(List.copyOf(listen), List.copyOf(names), s.bool("default"), serverRewrites,
                serverReturn, serverLimits, serverAccess, realIpSpec, proxyProtocol, List.copyOf(locations), Map.copyOf(errorPages), tls);
    }

    /** The rewrites of a server or location; the names their regexes capture are added to {@code captures}. */
    private static List<RewriteSpec> bindRewrites(Section s, Config rewriteDefaults, Set<String> captures) {
        List<RewriteSpec> out = new ArrayList<>();
        for (Section r : s.objectList("rewrites", rewriteDefaults)) {
            String regex = r.string("regex");
            String replacement = r.string("replacement");
            Rewrite.Flag flag = r.enumValue("flag", Rewrite.Flag.class);
            NginxRegex compiled = null;
            try {
                compiled = NginxRegex.compile(regex, false);
                captures.addAll(compiled.names().keySet());
            } catch (IllegalArgumentException e) {
                r.problem("regex", e.getMessage());
            }
            if (replacement.isEmpty()) {
                r.problem("replacement", "a rewrite needs a replacement, e.g. \"/new/$1\"");
            } else if (compiled != null) {
                try {
                    Rewrite.of(compiled, replacement, flag);
                } catch (IllegalArgumentException e) {
                    r.problem("replacement", e.getMessage());
                }
            }
            out.add(new RewriteSpec(regex, replacement, flag));
        }
        return List.copyOf(out);
    }

    private static List<String> bindAccess(Section s) {
        List<String> rules = s.strings("access");
        try {
            AccessRules.parse(rules);
        } catch (IllegalArgumentException e) {
            s.problem("access", e.getMessage());
        }
        return List.copyOf(rules);
    }

    private static String bindReturn(Section s, Set<String> captures) {
        String raw = s.string("return");
        if (!raw.isBlank()) {
            try {
                Return.parse(raw, captures);
            } catch (IllegalArgumentException e) {
                s.problem("return", e.getMessage());
            }
        }
        return raw.isBlank() ? "" : raw;
    }

    /**
     * Header values and the hash key are nginx templates, compiled only when the engine applies the config: a
     * misspelt variable must be a problem at its line here (so {@code vipgate check} reports it), not an
     * exception at start or reload.
     */
    private static void checkTemplate(Section s, String key, String prefix, String template) {
        checkTemplate(s, key, prefix, template, Set.of());
    }

    private static void checkTemplate(Section s, String key, String prefix, String template, Set<String> captures) {
        try {
            Template.parse(template, captures);
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
