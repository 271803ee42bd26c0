package vipgate.appliance.importer.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongFunction;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;
import vipgate.lb.http.AccessRules;
import vipgate.lb.http.Cidr;
import vipgate.lb.config.MapSpec;
import vipgate.lb.http.Template;
import vipgate.lb.route.LocationPath;

/**
 * Maps an nginx.conf's {@code http {}} onto {@code vipgate.lb}, keeping nginx's behaviour where vipgate's defaults
 * differ (e.g. {@code Host: $proxy_host}) and saying so where vipgate deliberately does better (upstream keep-alive,
 * the 5s connect timeout). Every directive is mapped, reported as not mapped with the reason, or read through
 * nginx's inheritance by the locations it applies to. A file holding only http-level directives (a conf.d
 * snippet) is read as the inside of {@code http {}}.
 */
public final class NginxImport {
    /** nginx's built-in format, used by an access_log that names none. */
    private static final String COMBINED =
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    /** Read by the locations through nginx's inheritance (http -> server -> location), not where they stand. */
    private static final Set<String> INHERITED = union(NginxTls.SERVER, Set.copyOf(NginxTls.UPSTREAM), Set.of("proxy_connect_timeout", "proxy_read_timeout",
            "proxy_send_timeout", "proxy_next_upstream", "proxy_next_upstream_tries", "proxy_next_upstream_timeout",
            "proxy_http_version", "proxy_set_header", "add_header", "proxy_hide_header", "client_max_body_size",
            "keepalive_timeout", "keepalive_requests", "send_timeout", "client_header_timeout", "client_body_timeout",
            "error_page", "underscores_in_headers", "allow", "deny", "set_real_ip_from", "real_ip_header",
            "real_ip_recursive", "limit_req", "limit_conn"));

    /** vipgate sets these per upstream; nginx per location. */
    private static final List<String> UPSTREAM_SETTINGS = union(List.of("proxy_connect_timeout", "proxy_read_timeout",
            "proxy_send_timeout", "proxy_next_upstream", "proxy_next_upstream_tries", "proxy_next_upstream_timeout",
            "proxy_http_version"), NginxTls.UPSTREAM);

    /** Client limits: one value for the whole engine in vipgate, per server or location in nginx. */
    private record ClientKey(String nginx, String vipgate, Function<String, Optional<Long>> parse, long min,
            LongFunction<Object> write) {
    }

    private static final List<ClientKey> CLIENT_KEYS = List.of(
            // 0 = unlimited in both; as the largest it wins
            new ClientKey("client_max_body_size", "max-body-size", v -> NginxValues.size(v).map(b -> b == 0 ? Long.MAX_VALUE : b),
                    0, b -> NginxValues.sizeText(b == Long.MAX_VALUE ? 0 : b)),
            new ClientKey("keepalive_timeout", "keepalive-timeout", NginxImport::millis, 0, NginxImport::durationMillis),
            new ClientKey("keepalive_requests", "keepalive-requests", v -> NginxValues.count(v).map(Long::valueOf), 1, n -> n),
            new ClientKey("send_timeout", "send-timeout", NginxImport::millis, 1, NginxImport::durationMillis),
            new ClientKey("client_header_timeout", "header-timeout", NginxImport::millis, 1, NginxImport::durationMillis),
            new ClientKey("client_body_timeout", "body-timeout", NginxImport::millis, 1, NginxImport::durationMillis),
            // on = 1 wins: a server that relies on such headers keeps them (vipgate's default drops them, as nginx's)
            new ClientKey("underscores_in_headers", "underscores-in-headers", NginxImport::onOff, 0, on -> on == 1));

    /** Why the directives vipgate has no counterpart for are left out; anything unlisted gets a generic reason. */
    private static final Map<String, String> WHY = whyNotMapped();

    private final Report report;
    private final NginxTls tls = new NginxTls(new NginxTls.Findings() {
        @Override
        public void notMapped(Directive d, String why) {
            NginxImport.this.notMapped(d, why);
        }

        @Override
        public void changed(Directive d, String how) {
            NginxImport.this.changed(d, how);
        }
    });
    /** A directive inherited by many locations is reported once. */
    private final Set<String> told = new HashSet<>();
    /** By lower-case name: nginx matches proxy_pass hosts to upstream names case-insensitively. */
    private final Map<String, Upstream> upstreams = new LinkedHashMap<>();
    private final Map<String, String> logFormats = new LinkedHashMap<>();
    private final Hocon.Obj formats = new Hocon.Obj();
    private final List<Hocon.Obj> servers = new ArrayList<>();
    private final List<Scope> clientScopes = new ArrayList<>();
    private final Hocon.Obj lb;
    /** limit_req_zone definitions by name, in the order read. */
    private final Hocon.Obj zones = new Hocon.Obj();
    private final Set<String> zoneNames = new HashSet<>();
    /** limit_conn_zone definitions by name, in the order read. */
    private final Hocon.Obj connZones = new Hocon.Obj();
    private final Set<String> connZoneNames = new HashSet<>();
    /** map definitions by the name of their variable, in the order read. */
    private final Hocon.Obj maps = new Hocon.Obj();
    private final Set<String> mapNames = new HashSet<>();
    private Hocon.Obj accessLog;
    private Directive accessLogFrom;

    private NginxImport(Hocon.Obj lb, Report report) {
        this.lb = lb;
        this.report = report;
    }

    /** Reads {@code nginxConf} (and its includes) and writes what it maps into {@code vipgate.lb}. */
    public static void into(Path nginxConf, Hocon.Obj vipgate, Report report) throws IOException {
        new NginxImport(vipgate.obj("lb"), report).map(NginxParser.read(nginxConf, report));
    }

    /** The directives in force at one level (http, server, location) and the level around it. */
    private record Scope(List<Directive> here, Scope outer) {
        Optional<Directive> find(String name) {
            Optional<Directive> mine = here.stream().filter(d -> d.name().equals(name) && !d.block()).findFirst();
            return mine.isPresent() || outer == null ? mine : outer.find(name);
        }

        /** nginx's array directives (proxy_set_header, add_header...): inherited only by a level that sets none. */
        List<Directive> inherited(String name) {
            List<Directive> mine = here.stream().filter(d -> d.name().equals(name) && !d.block()).toList();
            return !mine.isEmpty() || outer == null ? mine : outer.inherited(name);
        }
    }

    /** An upstream as it is built: its servers from the upstream block, its timeouts from the locations using it. */
    private static final class Upstream {
        final String name;
        /** The upstream block, or the proxy_pass that named an address. */
        final Directive at;
        final Optional<Directive> block;
        final List<Hocon.Obj> servers = new ArrayList<>();
        /** The output entry: the balancing directives go in as they are read, the rest when it is written. */
        final Hocon.Obj obj = new Hocon.Obj();
        Map<String, Directive> settings;
        Directive settingsFrom;
        /** Whether the first proxy_pass to it said https://; null before any did. */
        Boolean https;

        Upstream(String name, Directive at, Optional<Directive> block) {
            this.name = name;
            this.at = at;
            this.block = block;
        }
    }

    private void map(List<Directive> top) {
        List<Directive> http = new ArrayList<>();
        for (Directive d : top) {
            if (d.name().equals("http") && d.block()) {
                http.addAll(d.children());
            } else {
                http.add(d);
            }
        }
        Scope scope = new Scope(http, null);
        for (Directive d : http) {
            if (d.name().equals("upstream") && d.block()) {
                upstream(d);
            } else if (d.name().equals("log_format")) {
                logFormat(d);
            } else if (d.name().equals("limit_req_zone")) {
                limitReqZone(d);
            } else if (d.name().equals("limit_conn_zone")) {
                limitConnZone(d);
            } else if (d.name().equals("map") && d.block() && d.args().size() == 2 && d.args().get(1).startsWith("$")) {
                // every map first: a template may name one defined further down, as in nginx
                mapNames.add(d.args().get(1).substring(1).toLowerCase(Locale.ROOT));
            }
        }
        for (Directive d : http) {
            if (d.name().equals("map")) {
                map(d);
            }
        }
        for (Directive d : http) {
            switch (d.name()) {
                case "upstream", "log_format", "limit_req_zone", "limit_conn_zone", "map" -> {
                }
                case "limit_req_status" -> limitStatus(d, "limit-req-status");
                case "limit_conn_status" -> limitStatus(d, "limit-conn-status");
                case "server" -> server(d, scope);
                case "access_log" -> accessLog(d);
                case "worker_processes" -> workerProcesses(d);
                default -> {
                    if (!INHERITED.contains(d.name())) {
                        notMapped(d, why(d.name()));
                    }
                }
            }
        }
        write(scope);
    }

    /** nginx's {@code limit_req_zone KEY zone=NAME:SIZE rate=R}. */
    private void limitReqZone(Directive d) {
        String key = null;
        String name = null;
        Long size = null;
        String rate = null;
        for (String a : d.args()) {
            if (a.startsWith("zone=")) {
                int colon = a.indexOf(':');
                name = colon < 0 ? a.substring(5) : a.substring(5, colon);
                size = colon < 0 ? null : NginxValues.size(a.substring(colon + 1)).orElse(null);
            } else if (a.startsWith("rate=")) {
                rate = a.substring(5);
            } else if (a.startsWith("sync")) {
                notMapped(d, "'sync' (nginx Plus zone synchronisation) has no vipgate equivalent; each box counts alone");
            } else {
                key = a;
            }
        }
        if (key == null || name == null || name.isEmpty() || size == null || rate == null) {
            notMapped(d, "write limit_req_zone KEY zone=NAME:SIZE rate=N r/s|r/m; the zone is left out");
            return;
        }
        try {
            Template.parse(key);
        } catch (IllegalArgumentException e) {
            notMapped(d, e.getMessage() + "; the zone is left out");
            return;
        }
        zoneNames.add(name);
        zones.put(name, new Hocon.Obj().put("key", key).put("size", NginxValues.sizeText(size)).put("rate", rate));
    }

    /** nginx's {@code map SOURCE $NAME { default VALUE; MATCH VALUE; ... }}: strings and regexes, no map parameters. */
    private void map(Directive d) {
        if (!d.block() || d.args().size() != 2 || !d.args().get(1).startsWith("$")) {
            notMapped(d, "write map SOURCE $NAME { MATCH VALUE; ... }; the map is left out");
            return;
        }
        String name = d.args().get(1).substring(1).toLowerCase(Locale.ROOT);
        String source = d.args().get(0);
        if (Template.isBuiltIn(name) || !template(d, source)) {
            if (Template.isBuiltIn(name)) {
                notMapped(d, "$" + name + " is one of nginx's own variables; the map is left out");
            }
            mapNames.remove(name);
            return;
        }
        Hocon.Obj m = new Hocon.Obj().comment("nginx map at " + d.where()).put("source", source);
        List<Hocon.Obj> values = new ArrayList<>();
        for (Directive e : d.children()) {
            String value = e.args().size() == 1 ? e.args().get(0) : null;
            switch (e.name()) {
                case "hostnames", "volatile", "include" -> notMapped(e, "vipgate's maps match strings and regexes only;"
                        + " '" + e.name() + "' is left out");
                default -> {
                    if (value == null) {
                        notMapped(e, "write MATCH VALUE; left out");
                    } else if (MapSpec.usesCaptures(value)) {
                        notMapped(e, "vipgate's map values cannot use the captures of the map's regex ($1..$9); left out");
                    } else if (template(e, value) && e.name().equals("default")) {
                        m.put("default", value);
                    } else if (template(e, value)) {
                        values.add(new Hocon.Obj().put("match", e.name()).put("value", value));
                    }
                }
            }
        }
        m.put("values", values);
        maps.put(name, m);
    }

    /** nginx's {@code limit_conn_zone KEY zone=NAME:SIZE}. */
    private void limitConnZone(Directive d) {
        String key = d.args().isEmpty() ? null : d.args().get(0);
        String zone = d.args().size() == 2 ? d.args().get(1) : "";
        int colon = zone.indexOf(':');
        Long size = colon < 0 ? null : NginxValues.size(zone.substring(colon + 1)).orElse(null);
        if (key == null || !zone.startsWith("zone=") || colon <= 5 || size == null) {
            notMapped(d, "write limit_conn_zone KEY zone=NAME:SIZE; the zone is left out");
            return;
        }
        try {
            Template.parse(key);
        } catch (IllegalArgumentException e) {
            notMapped(d, e.getMessage() + "; the zone is left out");
            return;
        }
        connZoneNames.add(zone.substring(5, colon));
        connZones.put(zone.substring(5, colon), new Hocon.Obj().put("key", key).put("size", NginxValues.sizeText(size)));
    }

    /** limit_req_status / limit_conn_status: one status for the engine in vipgate. */
    private void limitStatus(Directive d, String key) {
        String status = d.arg().orElse("");
        if (!status.matches("[45]\\d\\d")) {
            notMapped(d, "write a status from 400 to 599");
            return;
        }
        lb.put(key, Integer.parseInt(status));
    }

    /** nginx's limit_conn of a level (its own, else inherited as one list): NAME N. */
    private List<Hocon.Obj> limitConn(Scope scope) {
        List<Hocon.Obj> out = new ArrayList<>();
        for (Directive d : scope.inherited("limit_conn")) {
            if (d.args().size() != 2 || NginxValues.count(d.args().get(1)).filter(n -> n > 0).isEmpty()) {
                notMapped(d, "write limit_conn ZONE N; the limit is left out");
            } else if (!connZoneNames.contains(d.args().get(0))) {
                notMapped(d, "no limit_conn_zone named '" + d.args().get(0) + "'; the limit is left out");
            } else {
                out.add(new Hocon.Obj().put("zone", d.args().get(0)).put("max", NginxValues.count(d.args().get(1)).get()));
            }
        }
        return out;
    }

    /** nginx's limit_req of a level (its own, else inherited as one list): zone=NAME [burst=N] [nodelay | delay=N]. */
    private List<Hocon.Obj> limitReq(Scope scope) {
        List<Hocon.Obj> out = new ArrayList<>();
        for (Directive d : scope.inherited("limit_req")) {
            Hocon.Obj l = new Hocon.Obj();
            for (String a : d.args()) {
                if (a.startsWith("zone=") && !zoneNames.contains(a.substring(5))) {
                    notMapped(d, "no limit_req_zone named '" + a.substring(5) + "'; the limit is left out");
                    l = null;
                    break;
                } else if (a.startsWith("zone=")) {
                    l.put("zone", a.substring(5));
                } else if (a.startsWith("burst=") && NginxValues.count(a.substring(6)).isPresent()) {
                    l.put("burst", NginxValues.count(a.substring(6)).get());
                } else if (a.equals("nodelay")) {
                    l.put("nodelay", true);
                } else if (a.startsWith("delay=") && NginxValues.count(a.substring(6)).isPresent()) {
                    l.put("delay", NginxValues.count(a.substring(6)).get());
                } else {
                    notMapped(d, "'" + a + "' is not a limit_req parameter vipgate knows; the limit is left out");
                    l = null;
                    break;
                }
            }
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    private void workerProcesses(Directive d) {
        String n = d.arg().orElse("");
        if (n.equals("auto")) {
            return; // vipgate's event-loops = auto: one per core, as nginx's
        }
        NginxValues.count(n).filter(c -> c > 0).ifPresentOrElse(
                c -> lb.comment("nginx worker_processes " + c + " (" + d.where() + "): one event loop per worker")
                        .put("event-loops", c),
                () -> notMapped(d, "'" + n + "' is not a number of workers"));
    }

    // ---- upstreams ----

    private void upstream(Directive d) {
        if (d.args().size() != 1) {
            notMapped(d, "an upstream takes exactly one name");
            return;
        }
        String name = d.args().get(0);
        Upstream u = new Upstream(name, d, Optional.of(d));
        u.obj.comment("nginx upstream at " + d.where());
        for (Directive c : d.children()) {
            switch (c.name()) {
                case "server" -> upstreamServer(c).ifPresent(u.servers::add);
                case "least_conn" -> u.obj.put("algorithm", new Hocon.Raw("least-conn"));
                case "hash" -> hash(c, u);
                case "ip_hash" -> {
                    u.obj.comment("nginx ip_hash (" + c.where() + ") as a consistent hash of the client address")
                            .put("algorithm", new Hocon.Raw("hash")).put("hash-key", "$remote_addr");
                    changed(c, "hashed on the whole client address on a consistent ring (nginx ip_hash uses the first three"
                            + " octets of an IPv4 address): clients stick to a server as before, but not to the same one");
                }
                case "random" -> random(c, u);
                case "keepalive", "keepalive_timeout", "keepalive_requests" -> {
                    // read when the upstream is written, with the locations' proxy_http_version
                }
                case "zone" -> notMapped(c, "not needed: vipgate keeps each upstream's state in one process, shared by every event loop");
                default -> notMapped(c, why(c.name()));
            }
        }
        if (u.servers.isEmpty()) {
            notMapped(d, "no server vipgate can use; the upstream and the locations that use it are left out");
        }
        upstreams.put(name.toLowerCase(Locale.ROOT), u);
    }

    private void hash(Directive c, Upstream u) {
        if (c.args().isEmpty() || c.args().size() > 2 || (c.args().size() == 2 && !c.args().get(1).equals("consistent"))) {
            notMapped(c, "write hash KEY [consistent]");
            return;
        }
        String key = c.args().get(0);
        if (!template(c, key)) {
            return;
        }
        u.obj.put("algorithm", new Hocon.Raw("hash")).put("hash-key", key);
        if (c.args().size() == 1) {
            changed(c, "vipgate's hash is always consistent (ketama, like 'hash " + key + " consistent'): a key maps to another"
                    + " server than under nginx's plain hash, and fewer keys move when a server is added or removed");
        }
    }

    private void random(Directive c, Upstream u) {
        List<String> a = c.args();
        if (a.isEmpty() || a.equals(List.of("two")) || a.equals(List.of("two", "least_conn"))) {
            u.obj.put("algorithm", new Hocon.Raw("random-two"));
            if (a.isEmpty()) {
                changed(c, "vipgate's random always picks two servers and takes the less loaded (nginx 'random two"
                        + " least_conn'); plain weighted random is not offered");
            }
        } else {
            notMapped(c, "'random " + String.join(" ", a) + "' has no vipgate equivalent; round robin is kept");
        }
    }

    private Optional<Hocon.Obj> upstreamServer(Directive c) {
        if (c.args().isEmpty()) {
            notMapped(c, "a server needs an address");
            return Optional.empty();
        }
        String address = c.args().get(0);
        if (address.startsWith("unix:")) {
            notMapped(c, "vipgate reaches upstream servers over TCP only, not a unix socket");
            return Optional.empty();
        }
        Hocon.Obj s = new Hocon.Obj().put("address", withPort(address));
        for (String p : c.args().subList(1, c.args().size())) {
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String value = eq < 0 ? "" : p.substring(eq + 1);
            Optional<?> v = switch (key) {
                case "weight" -> NginxValues.count(value).filter(n -> n >= 1 && n <= 1000);
                case "max_fails", "max_conns" -> NginxValues.count(value);
                case "fail_timeout" -> NginxValues.time(value).map(NginxValues::duration);
                case "backup", "down" -> eq < 0 ? Optional.of(true) : Optional.empty();
                default -> null;
            };
            if (v == null) {
                notMapped(c, "parameter '" + p + "' has no vipgate equivalent; left out");
            } else if (v.isEmpty()) {
                notMapped(c, "'" + p + "' is not a valid value; left out");
            } else {
                s.put(key.replace('_', '-'), v.get());
            }
        }
        return Optional.of(s);
    }

    /** nginx's port 80 where an address names none. */
    private static String withPort(String address) {
        return withPort(address, 80);
    }

    private static String withPort(String address, int port) {
        boolean hasPort = address.startsWith("[") ? address.contains("]:") : address.contains(":");
        return hasPort ? address : address + ":" + port;
    }

    // ---- servers and locations ----

    private void server(Directive d, Scope outer) {
        Scope scope = new Scope(d.children(), outer);
        List<String> listen = new ArrayList<>();
        List<String> tlsListen = new ArrayList<>();
        List<String> proxyProtocolListen = new ArrayList<>();
        List<String> proxyProtocolTlsListen = new ArrayList<>();
        List<Directive> proxyProtocolDirectives = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Hocon.Obj> locations = new ArrayList<>();
        RewriteModule rewrites = new RewriteModule();
        boolean isDefault = false;
        boolean listens = false;
        for (Directive c : d.children()) {
            switch (c.name()) {
                case "listen" -> {
                    listens = true;
                    if (c.args().contains("proxy_protocol")) {
                        proxyProtocolDirectives.add(c);
                        isDefault |= listen(c, proxyProtocolListen, proxyProtocolTlsListen);
                    } else {
                        isDefault |= listen(c, listen, tlsListen);
                    }
                }
                case "server_name" -> serverNames(c, names);
                case "location" -> location(c, scope, locations);
                case "rewrite", "return" -> rewrites.add(c);
                case "access_log" -> notMapped(c, "vipgate writes one access log for the whole engine (the http block's);"
                        + " put $host in its format to tell servers apart");
                default -> {
                    if (!INHERITED.contains(c.name())) {
                        notMapped(c, why(c.name()));
                    }
                }
            }
        }
        if (!listens) {
            listen.add("0.0.0.0:80");
        }
        boolean proxyProtocol = !proxyProtocolDirectives.isEmpty();
        if (proxyProtocol && (!listen.isEmpty() || !tlsListen.isEmpty() || realIp(scope).isEmpty())) {
            // vipgate's PROXY protocol is a server's, for all its sockets, and only from trusted senders
            String why = !listen.isEmpty() || !tlsListen.isEmpty()
                    ? "vipgate reads the PROXY protocol on all of a server's addresses or none; this server's other"
                            + " listens have none, so this one is left out (give it a server of its own)"
                    : "vipgate accepts PROXY protocol headers only from trusted senders; add set_real_ip_from with the"
                            + " address of the load balancer in front; this listen is left out";
            proxyProtocolDirectives.forEach(c -> notMapped(c, why));
            proxyProtocol = false;
        } else if (proxyProtocol) {
            listen.addAll(proxyProtocolListen);
            tlsListen.addAll(proxyProtocolTlsListen);
        }
        Optional<Hocon.Obj> serverTls = tlsListen.isEmpty() ? Optional.empty()
                : tls.server(d, scope::find, scope::inherited);
        if (serverTls.isEmpty()) {
            tlsListen.clear();
        }
        if (listen.isEmpty() && tlsListen.isEmpty()) {
            notMapped(d, "no listen address vipgate can serve; the server is left out");
            return;
        }
        if (locations.isEmpty() && rewrites.returns == null) {
            notMapped(d, "no location proxies to an upstream or answers (return, rewrite); the server is left out");
            return;
        }
        if (!listen.isEmpty() && !tlsListen.isEmpty()) {
            // a vipgate server is all TLS or all plaintext: nginx's one server becomes two with the same content
            changed(d, "this server listens with and without ssl: it became two vipgate servers, one on "
                    + String.join(", ", listen) + " and one with TLS on " + String.join(", ", tlsListen));
        }
        if (!listen.isEmpty()) {
            servers.add(server(d, scope, listens ? listen : null, Optional.empty(), proxyProtocol, names, isDefault, rewrites,
                    locations));
        }
        if (!tlsListen.isEmpty()) {
            servers.add(server(d, scope, tlsListen, serverTls, proxyProtocol, names, isDefault, rewrites, locations));
        }
    }

    /** One vipgate server of an nginx server; {@code listen} null: none was written (nginx's port 80). */
    private Hocon.Obj server(Directive d, Scope scope, List<String> listen, Optional<Hocon.Obj> serverTls,
            boolean proxyProtocol, List<String> names, boolean isDefault, RewriteModule rewrites, List<Hocon.Obj> locations) {
        Hocon.Obj s = new Hocon.Obj().comment("nginx server at " + d.where());
        if (listen == null) {
            s.comment("no listen: nginx's default, port 80");
            listen = List.of("0.0.0.0:80");
        }
        s.put("listen", listen);
        if (!names.isEmpty()) {
            s.put("server-names", names);
        }
        if (isDefault) {
            s.put("default", true);
        }
        rewrites.putInto(s);
        List<String> access = accessRules(d, scope);
        if (!access.isEmpty()) {
            s.put("access", access);
        }
        realIp(scope).ifPresent(r -> s.put("real-ip", r));
        if (proxyProtocol) {
            s.put("proxy-protocol", true);
        }
        List<Hocon.Obj> limits = limitReq(scope);
        if (!limits.isEmpty()) {
            s.put("limit-req", limits);
        }
        List<Hocon.Obj> connLimits = limitConn(scope);
        if (!connLimits.isEmpty()) {
            s.put("limit-conn", connLimits);
        }
        if (!locations.isEmpty()) {
            s.put("locations", locations);
        }
        Hocon.Obj pages = new Hocon.Obj();
        for (Directive e : scope.inherited("error_page")) {
            errorPage(e, scope, pages);
        }
        if (!pages.isEmpty()) {
            s.put("error-pages", pages);
        }
        serverTls.ifPresent(t -> s.put("tls", t));
        return s;
    }

    /** Adds the address vipgate listens on to {@code plain} or, with ssl, {@code tls}; true when it marks the default server. */
    private boolean listen(Directive c, List<String> plain, List<String> tls) {
        if (c.args().isEmpty()) {
            notMapped(c, "a listen needs an address or port");
            return false;
        }
        String a = c.args().get(0);
        if (a.startsWith("unix:")) {
            notMapped(c, "vipgate listens on TCP only, not a unix socket");
            return false;
        }
        boolean isDefault = false;
        List<String> out = plain;
        for (String p : c.args().subList(1, c.args().size())) {
            switch (p) {
                case "default_server", "default" -> isDefault = true;
                case "ssl" -> out = tls;
                case "proxy_protocol" -> {
                    // the server's proxy-protocol, set by the caller
                }
                case "http2" -> notMapped(c, "vipgate speaks HTTP/1.1 to clients; http2 is left out");
                default -> notMapped(c, "parameter '" + p + "': vipgate sets its own socket options; left out");
            }
        }
        String address;
        if (a.matches("\\d+")) {
            address = "0.0.0.0:" + a;
        } else if (a.equals("*") || a.startsWith("*:")) {
            address = withPort("0.0.0.0" + a.substring(1));
        } else {
            address = withPort(a);
        }
        out.add(address);
        return isDefault;
    }

    private void serverNames(Directive c, List<String> out) {
        for (String n : c.args()) {
            if (n.startsWith("~") || n.contains("$")) {
                notMapped(c, "'" + n + "': vipgate matches exact and wildcard names only, not regular expressions or variables");
            } else if (n.isEmpty()) {
                notMapped(c, "\"\" (requests without Host): vipgate sends those to the listener's default server");
            } else if (n.startsWith(".")) {
                // nginx's .example.com is example.com and *.example.com
                out.add(n.substring(1));
                out.add("*" + n);
            } else {
                out.add(n);
            }
        }
    }

    private void location(Directive d, Scope outer, List<Hocon.Obj> out) {
        Optional<LocationPath> path = locationPath(d);
        if (path.isEmpty()) {
            return;
        }
        Scope scope = new Scope(d.children(), outer);
        RewriteModule rewrites = new RewriteModule();
        Optional<Directive> proxyPass = d.first("proxy_pass");
        Hocon.Obj loc = null;
        if (proxyPass.isPresent()) {
            Optional<Upstream> u = target(proxyPass.get(), path.get());
            if (u.isPresent()) {
                loc = proxied(d, path.get(), proxyPass.get(), u.get(), scope);
            }
        }
        boolean nested = false;
        // a nested location comes after its parent, as it does in the file
        int at = out.size();
        for (Directive c : d.children()) {
            switch (c.name()) {
                case "proxy_pass" -> {
                }
                case "rewrite", "return" -> rewrites.add(c);
                case "location" -> {
                    nested = true;
                    location(c, scope, out);
                }
                case "access_log" -> notMapped(c, "vipgate writes one access log for the whole engine (the http block's)");
                case "error_page" -> notMapped(c, "vipgate's error pages are set per server, not per location");
                default -> {
                    if (!INHERITED.contains(c.name())) {
                        notMapped(c, why(c.name()));
                    }
                }
            }
        }
        if (loc == null && !rewrites.isEmpty()) {
            loc = new Hocon.Obj().put("path", path.get().toString());
        }
        if (loc != null) {
            List<String> access = accessRules(d, scope);
            if (!access.equals(accessRules(d, outer))) {
                loc.put("access", access.isEmpty() ? List.of("allow all") : access);
            }
            if (!scope.inherited("limit_req").equals(outer.inherited("limit_req"))) {
                loc.put("limit-req", limitReq(scope));
            }
            if (!scope.inherited("limit_conn").equals(outer.inherited("limit_conn"))) {
                loc.put("limit-conn", limitConn(scope));
            }
            rewrites.putInto(loc);
            out.add(at, loc);
        } else if (proxyPass.isEmpty() && !nested) {
            notMapped(d, "no proxy_pass, return or rewrite: nginx serves files here; vipgate does not, so the location"
                    + " is left out");
        }
    }

    /** nginx's allow/deny of a level: its own, else the nearest enclosing level's (they are inherited as one list). */
    private List<String> accessRules(Directive at, Scope scope) {
        for (Scope level = scope; level != null; level = level.outer()) {
            List<String> rules = level.here().stream()
                    .filter(d -> !d.block() && (d.name().equals("allow") || d.name().equals("deny")))
                    .map(d -> d.name() + " " + String.join(" ", d.args())).toList();
            if (!rules.isEmpty()) {
                try {
                    AccessRules.parse(rules);
                    return rules;
                } catch (IllegalArgumentException e) {
                    notMapped(at, "allow/deny: " + e.getMessage() + "; no rule is applied here");
                    return List.of();
                }
            }
        }
        return List.of();
    }

    /** nginx's realip module as the server sees it: set_real_ip_from, real_ip_header, real_ip_recursive. */
    private Optional<Hocon.Obj> realIp(Scope scope) {
        List<Directive> from = scope.inherited("set_real_ip_from");
        if (from.isEmpty()) {
            return Optional.empty();
        }
        List<String> trusted = new ArrayList<>();
        for (Directive f : from) {
            String network = f.arg().orElse("");
            try {
                Cidr.parse(network);
                trusted.add(network);
            } catch (IllegalArgumentException e) {
                notMapped(f, e.getMessage() + (network.startsWith("unix:") ? " (vipgate listens on TCP only)" : ""));
            }
        }
        String header = scope.find("real_ip_header").flatMap(Directive::arg).orElse("X-Real-IP");
        boolean recursive = scope.find("real_ip_recursive").flatMap(Directive::arg).map("on"::equals).orElse(false);
        return trusted.isEmpty() ? Optional.empty() : Optional.of(new Hocon.Obj().put("from", trusted)
                .put("header", header).put("recursive", recursive));
    }

    /** nginx's rewrite module directives of one level, in their order: vipgate runs the rewrites, then the return. */
    private final class RewriteModule {
        private final List<Hocon.Obj> rewrites = new ArrayList<>();
        private String returns;

        void add(Directive c) {
            if (returns != null) {
                notMapped(c, "never runs: the return before it answers every request here");
                return;
            }
            if (c.name().equals("return")) {
                if (c.args().isEmpty() || c.args().size() > 2) {
                    notMapped(c, "write return code [text|URL] or return URL");
                    return;
                }
                returns = String.join(" ", c.args());
                return;
            }
            List<String> a = c.args();
            if (a.size() < 2 || a.size() > 3) {
                notMapped(c, "write rewrite regex replacement [last|break|redirect|permanent]");
                return;
            }
            Hocon.Obj r = new Hocon.Obj().put("regex", a.get(0)).put("replacement", a.get(1));
            if (a.size() == 3) {
                if (!List.of("last", "break", "redirect", "permanent").contains(a.get(2))) {
                    notMapped(c, "unknown rewrite flag '" + a.get(2) + "'");
                    return;
                }
                r.put("flag", a.get(2));
            }
            rewrites.add(r);
        }

        boolean isEmpty() {
            return rewrites.isEmpty() && returns == null;
        }

        void putInto(Hocon.Obj target) {
            if (!rewrites.isEmpty()) {
                target.put("rewrites", rewrites);
            }
            if (returns != null) {
                target.put("return", returns);
            }
        }
    }

    /** The location's match as vipgate reads it; empty (reported) for the forms vipgate cannot match. */
    private Optional<LocationPath> locationPath(Directive d) {
        List<String> a = d.args();
        String raw = String.join(" ", a);
        if (a.isEmpty() || a.size() > 2 || raw.startsWith("@")) {
            notMapped(d, raw.startsWith("@") ? "named locations (for error_page/try_files) have no vipgate equivalent"
                    : "write location [=|^~|~|~*] /path");
            return Optional.empty();
        }
        try {
            return Optional.of(LocationPath.parse(raw));
        } catch (IllegalArgumentException e) {
            notMapped(d, e.getMessage() + "; the location is left out");
            return Optional.empty();
        }
    }

    /** Where the host of an http:// or https:// URL ends: at the URI part, which starts with '/' or a variable. */
    private static int hostEnd(String url) {
        int end = url.indexOf("//") + 2;
        while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '$') {
            end++;
        }
        return end;
    }

    /** The upstream a proxy_pass names, made from the address when it names none; empty (reported) otherwise. */
    private Optional<Upstream> target(Directive p, LocationPath path) {
        String url = p.arg().orElse("");
        boolean https = url.regionMatches(true, 0, "https://", 0, 8);
        if (!https && !url.regionMatches(true, 0, "http://", 0, 7)) {
            notMapped(p, "vipgate reaches upstreams over http:// or https:// only; the location is left out");
            return Optional.empty();
        }
        int hostEnd = hostEnd(url);
        String host = url.substring(https ? 8 : 7, hostEnd);
        String uri = url.substring(hostEnd);
        if (p.args().size() != 1 || host.contains("$") || host.isEmpty() && uri.startsWith("$")) {
            notMapped(p, "vipgate needs a fixed upstream name (variables only in the URI part, e.g."
                    + " http://app/u/$1); the location is left out");
            return Optional.empty();
        }
        Set<String> names = new HashSet<>(mapNames);
        if (path.regex() != null) {
            names.addAll(path.regex().names().keySet());
        }
        if (uri.contains("$") && !template(p, uri, names)) {
            return Optional.empty();
        }
        if (host.isEmpty() || host.startsWith("unix:")) {
            notMapped(p, "vipgate reaches upstream servers over TCP only; the location is left out");
            return Optional.empty();
        }
        if (!uri.isEmpty() && !uri.contains("$") && path.kind().isRegex()) {
            notMapped(p, "nginx refuses a URI part in a regex location (\"proxy_pass cannot have URI part in location given by"
                    + " regular expression\"); the location is left out");
            return Optional.empty();
        }
        Upstream u = upstreams.computeIfAbsent(host.toLowerCase(Locale.ROOT), k -> {
            // named like nginx's $proxy_host for such a proxy_pass, so Host: $proxy_host stays the same
            Upstream made = new Upstream(host, p, Optional.empty());
            made.servers.add(new Hocon.Obj().put("address", https ? withPort(host, 443) : withPort(host)));
            return made;
        });
        if (u.https == null) {
            u.https = https;
        } else if (u.https != https) {
            notMapped(p, "vipgate speaks one protocol per upstream, and '" + u.name + "' is reached with "
                    + (u.https ? "https" : "http") + ":// elsewhere; the location is left out");
            return Optional.empty();
        }
        if (u.servers.isEmpty()) {
            notMapped(p, "upstream '" + u.name + "' (" + u.at.where() + ") has no server vipgate can use; the location is left out");
            return Optional.empty();
        }
        return Optional.of(u);
    }

    private Hocon.Obj proxied(Directive d, LocationPath path, Directive proxyPass, Upstream u, Scope scope) {
        Map<String, Directive> settings = new LinkedHashMap<>();
        for (String name : UPSTREAM_SETTINGS) {
            scope.find(name).ifPresent(s -> settings.put(name, s));
        }
        if (u.settings == null) {
            u.settings = settings;
            u.settingsFrom = proxyPass;
        } else if (!args(u.settings).equals(args(settings))) {
            notMapped(proxyPass, "vipgate sets timeouts, retries and the HTTP version per upstream, and its TLS: '" + u.name
                    + "' keeps those of the location at " + u.settingsFrom.where() + ", which differ from these");
        }
        clientScopes.add(scope);
        Hocon.Obj loc = new Hocon.Obj();
        if (u.block.isEmpty()) {
            loc.comment("proxy_pass " + proxyPass.arg().orElse("") + " (" + proxyPass.where() + ") names an address: it became"
                    + " upstream \"" + u.name + "\"");
        }
        loc.put("path", path.toString()).put("upstream", u.name);
        String url = proxyPass.arg().orElse("");
        String uri = url.substring(hostEnd(url));
        if (uri.contains("$") || (!uri.isEmpty() && !uri.equals(path.text()))) {
            // nginx's prefix replacement (the same URI as the prefix changes nothing, so it is left out), or the
            // variable form, sent as it evaluates
            loc.put("pass-uri", uri);
        }
        Hocon.Obj request = requestHeaders(scope);
        if (!request.isEmpty()) {
            loc.put("request-headers", request);
        }
        Hocon.Obj response = responseHeaders(scope);
        if (!response.isEmpty()) {
            loc.put("response-headers", response);
        }
        return loc;
    }

    private static Map<String, List<String>> args(Map<String, Directive> settings) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> out.put(k, v.args()));
        return out;
    }

    private Hocon.Obj requestHeaders(Scope scope) {
        Hocon.Obj headers = new Hocon.Obj();
        boolean host = false;
        for (Directive h : scope.inherited("proxy_set_header")) {
            if (h.args().size() != 2) {
                notMapped(h, "write proxy_set_header NAME VALUE");
                continue;
            }
            String name = h.args().get(0);
            String value = h.args().get(1);
            if (name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("upgrade")) {
                notMapped(h, "not needed: vipgate manages Connection itself (keep-alive, and WebSocket upgrades pass through)");
            } else if (template(h, value, mapNames)) {
                host |= name.equalsIgnoreCase("host");
                headers.put(name, value);
            }
        }
        if (!host) {
            headers.comment("nginx's default when proxy_set_header Host is not set (vipgate's own: the client's Host)")
                    .put("Host", "$proxy_host");
        }
        return headers;
    }

    private Hocon.Obj responseHeaders(Scope scope) {
        Hocon.Obj headers = new Hocon.Obj();
        for (Directive h : scope.inherited("proxy_hide_header")) {
            if (h.args().size() == 1) {
                headers.comment("nginx proxy_hide_header (" + h.where() + "): an empty value removes it").put(h.args().get(0), "");
            } else {
                notMapped(h, "write proxy_hide_header NAME");
            }
        }
        for (Directive h : scope.inherited("add_header")) {
            boolean always = h.args().size() == 3 && h.args().get(2).equals("always");
            if (h.args().size() != 2 && !always) {
                notMapped(h, "write add_header NAME VALUE [always]");
            } else if (template(h, h.args().get(1), mapNames)) {
                headers.put(h.args().get(0), h.args().get(1));
                if (!always) {
                    changed(h, "vipgate adds it to every response, as nginx does with 'always' (without it: 2xx/3xx only)");
                }
            }
        }
        return headers;
    }

    private void errorPage(Directive e, Scope server, Hocon.Obj pages) {
        List<String> a = e.args();
        String uri = a.isEmpty() ? "" : a.get(a.size() - 1);
        List<String> codes = a.isEmpty() ? List.of() : a.subList(0, a.size() - 1);
        if (!uri.startsWith("/") || codes.isEmpty() || !codes.stream().allMatch(c -> c.matches("[45]\\d\\d"))) {
            notMapped(e, "vipgate's error pages are files per status (400-599); a redirect, named location or =CODE is not mapped");
            return;
        }
        Optional<Directive> root = server.here().stream()
                .filter(l -> l.name().equals("location") && l.block() && !l.args().isEmpty()
                        && l.args().get(l.args().size() - 1).replaceFirst("^=", "").equals(uri))
                .flatMap(l -> l.first("root").stream()).findFirst().or(() -> server.find("root"));
        String dir = root.flatMap(Directive::arg).orElse("");
        if (!dir.startsWith("/")) {
            notMapped(e, "nginx serves " + uri + " from its root (" + (dir.isEmpty() ? "html under its prefix" : dir)
                    + "); write error-pages { \"" + codes.get(0) + "\" = \"/path/to" + uri + "\" } with the file's absolute path");
            return;
        }
        Path file = Path.of(dir, uri);
        if (!Files.isReadable(file)) {
            notMapped(e, file + " is not readable on this machine; copy it to the vipgate box and write error-pages { \""
                    + codes.get(0) + "\" = \"" + file + "\" }");
            return;
        }
        pages.comment("nginx error_page (" + e.where() + "): the file under root " + dir + "; vipgate uses it for the"
                + " responses it makes itself, as nginx does without proxy_intercept_errors");
        for (String code : codes) {
            pages.put(code, file.toString());
        }
    }

    // ---- logs ----

    private void logFormat(Directive d) {
        List<String> a = d.args();
        int from = a.size() > 1 && a.get(1).startsWith("escape=") ? 2 : 1;
        if (a.size() <= from) {
            notMapped(d, "write log_format NAME 'format'");
            return;
        }
        if (from == 2 && !a.get(1).equals("escape=default")) {
            changed(d, a.get(1) + " is not offered: vipgate escapes values like nginx's escape=default");
        }
        String text = String.join("", a.subList(from, a.size()));
        if (template(d, text)) {
            logFormats.put(a.get(0), text);
            formats.comment("nginx log_format " + a.get(0) + " (" + d.where() + ")").put(a.get(0), text);
        }
    }

    private void accessLog(Directive d) {
        if (accessLogFrom != null) {
            notMapped(d, "vipgate writes one access log for the whole engine; the one at " + accessLogFrom.where() + " is kept");
            return;
        }
        String path = d.arg().orElse("");
        if (path.equals("off")) {
            accessLogFrom = d;
            return; // vipgate writes none by default
        }
        if (!path.startsWith("/")) {
            notMapped(d, "vipgate needs an absolute path (syslog: is not offered; nginx put a relative one under its prefix)");
            return;
        }
        String format = d.args().size() > 1 ? d.args().get(1) : "combined";
        if (format.equals("combined") && !logFormats.containsKey(format)) {
            logFormats.put(format, COMBINED);
            formats.comment("nginx's built-in combined format").put(format, COMBINED);
        }
        if (!logFormats.containsKey(format) && !format.equals("main")) {
            notMapped(d, "log format '" + format + "' is not mapped (see its log_format)");
            return;
        }
        Hocon.Obj a = new Hocon.Obj().comment("nginx access_log (" + d.where() + "); its directory must exist")
                .put("path", path).put("format", format);
        for (String p : d.args().subList(Math.min(2, d.args().size()), d.args().size())) {
            Optional<Hocon.Raw> buffer = p.startsWith("buffer=") ? NginxValues.size(p.substring(7))
                    .filter(b -> b >= 4096 && b <= 1L << 30).map(NginxValues::sizeText) : Optional.empty();
            Optional<Hocon.Raw> flush = p.startsWith("flush=") ? NginxValues.time(p.substring(6))
                    .filter(t -> !t.isZero()).map(NginxValues::duration) : Optional.empty();
            buffer.ifPresent(b -> a.put("buffer", b));
            flush.ifPresent(f -> a.put("flush", f));
            if (buffer.isEmpty() && flush.isEmpty()) {
                notMapped(d, "parameter '" + p + "' has no vipgate equivalent (or its value is out of range); left out");
            }
        }
        accessLog = a;
        accessLogFrom = d;
    }

    // ---- the output ----

    private void write(Scope http) {
        Hocon.Obj client = client(http);
        if (!client.isEmpty()) {
            lb.put("client", client);
        }
        if (accessLog != null) {
            lb.put("access-log", accessLog);
        }
        if (!formats.isEmpty()) {
            lb.put("log-formats", formats);
        }
        Hocon.Obj ups = new Hocon.Obj();
        for (Upstream u : upstreams.values()) {
            if (!u.servers.isEmpty()) {
                ups.put(u.name, upstream(u, http));
            }
        }
        if (!ups.isEmpty()) {
            lb.put("upstreams", ups);
        }
        if (!zones.isEmpty()) {
            lb.put("limit-req-zones", zones);
        }
        if (!connZones.isEmpty()) {
            lb.put("limit-conn-zones", connZones);
        }
        if (!maps.isEmpty()) {
            lb.put("maps", maps);
        }
        if (!servers.isEmpty()) {
            lb.put("servers", servers);
        }
    }

    private Hocon.Obj upstream(Upstream u, Scope http) {
        Map<String, Directive> s = u.settings;
        if (s == null) {
            s = new LinkedHashMap<>();
            for (String name : UPSTREAM_SETTINGS) {
                Optional<Directive> d = http.find(name);
                if (d.isPresent()) {
                    s.put(name, d.get());
                }
            }
        }
        Hocon.Obj o = u.obj;
        o.put("servers", u.servers);
        keepalive(u, s.get("proxy_http_version"), o);
        nextUpstream(s, o);
        Directive connect = s.get("proxy_connect_timeout");
        if (connect == null) {
            changed(u.at, "connect-timeout is vipgate's 5s (nginx's proxy_connect_timeout default is 60s) so a dead server"
                    + " fails over quickly; write connect-timeout = 60s for nginx's");
        }
        timeout(connect, "connect-timeout", o);
        timeout(s.get("proxy_read_timeout"), "read-timeout", o);
        timeout(s.get("proxy_send_timeout"), "send-timeout", o);
        if (Boolean.TRUE.equals(u.https)) {
            o.put("tls", tls.upstream(u.name, u.block.isPresent(), u.settingsFrom != null ? u.settingsFrom : u.at, s));
        }
        return o;
    }

    private void keepalive(Upstream u, Directive version, Hocon.Obj o) {
        boolean http11 = version != null && version.arg().orElse("").equals("1.1");
        Optional<Directive> idle = u.block.flatMap(b -> b.first("keepalive"));
        Hocon.Obj k = new Hocon.Obj();
        if (idle.isPresent()) {
            NginxValues.count(idle.get().arg().orElse("")).ifPresentOrElse(
                    n -> k.comment("nginx keepalive (" + idle.get().where() + "): idle connections per worker, here per event loop")
                            .put("idle", n),
                    () -> notMapped(idle.get(), "not a number of connections"));
            if (!http11) {
                changed(idle.get(), "nginx keeps no upstream connection alive without proxy_http_version 1.1; vipgate always"
                        + " speaks HTTP/1.1 to upstreams and keeps these idle connections");
            }
        } else {
            changed(u.at, "nginx opens a connection per request here (" + (http11 ? "" : "HTTP/1.0, ")
                    + "no keepalive in the upstream); vipgate speaks HTTP/1.1 and keeps up to 32 idle connections per"
                    + " event loop: fewer connects, same requests (keepalive.idle = 0 for nginx's way)");
        }
        u.block.flatMap(b -> b.first("keepalive_timeout")).ifPresent(t -> NginxValues.time(t.arg().orElse("")).ifPresentOrElse(
                d -> k.put("idle-timeout", NginxValues.duration(d)), () -> notMapped(t, "not a time")));
        u.block.flatMap(b -> b.first("keepalive_requests")).ifPresent(r -> NginxValues.count(r.arg().orElse(""))
                .filter(n -> n >= 1).ifPresentOrElse(n -> k.put("max-requests", n), () -> notMapped(r, "not a positive number")));
        if (!k.isEmpty()) {
            o.put("keepalive", k);
        }
    }

    private void nextUpstream(Map<String, Directive> s, Hocon.Obj o) {
        Hocon.Obj n = new Hocon.Obj();
        Directive on = s.get("proxy_next_upstream");
        if (on != null) {
            List<Hocon.Raw> conditions = new ArrayList<>();
            for (String c : on.args()) {
                switch (c) {
                    case "error", "timeout", "invalid_header", "http_500", "http_502", "http_503", "http_504", "http_429", "off" ->
                            conditions.add(new Hocon.Raw(c.replace('_', '-')));
                    case "non_idempotent" -> n.put("non-idempotent", true);
                    default -> notMapped(on, "condition '" + c + "' has no vipgate equivalent; left out");
                }
            }
            n.put("on", conditions);
        }
        Directive tries = s.get("proxy_next_upstream_tries");
        if (tries != null) {
            NginxValues.count(tries.arg().orElse("")).filter(t -> t <= 1000).ifPresentOrElse(t -> n.put("tries", t),
                    () -> notMapped(tries, "not a number of tries (0-1000)"));
        }
        Directive timeout = s.get("proxy_next_upstream_timeout");
        if (timeout != null) {
            NginxValues.time(timeout.arg().orElse("")).ifPresentOrElse(t -> n.put("timeout", NginxValues.duration(t)),
                    () -> notMapped(timeout, "not a time"));
        }
        if (!n.isEmpty()) {
            o.put("next-upstream", n);
        }
    }

    private void timeout(Directive d, String key, Hocon.Obj o) {
        if (d != null) {
            NginxValues.time(d.arg().orElse("")).filter(t -> !t.isZero()).ifPresentOrElse(
                    t -> o.put(key, NginxValues.duration(t)), () -> notMapped(d, "not a time longer than 0s"));
        }
    }

    /** The engine-wide client limits: the largest value any mapped location has, the others reported. */
    private Hocon.Obj client(Scope http) {
        Hocon.Obj client = new Hocon.Obj();
        List<Scope> scopes = new ArrayList<>(clientScopes);
        scopes.add(http);
        for (ClientKey key : CLIENT_KEYS) {
            Map<Directive, Long> values = new LinkedHashMap<>();
            Set<Directive> seen = new LinkedHashSet<>();
            for (Scope scope : scopes) {
                scope.find(key.nginx).filter(seen::add).ifPresent(d -> key.parse.apply(d.arg().orElse(""))
                        .filter(v -> v >= key.min).ifPresentOrElse(v -> values.put(d, v),
                                () -> notMapped(d, "'" + d.arg().orElse("") + "' is not a value vipgate accepts here")));
                if (key.nginx.equals("keepalive_timeout")) {
                    scope.find(key.nginx).filter(d -> d.args().size() > 1).ifPresent(d -> notMapped(d,
                            "the second value (the Keep-Alive: timeout= response header) is not sent by vipgate"));
                }
            }
            values.entrySet().stream().max(Map.Entry.comparingByValue()).ifPresent(max -> {
                client.comment("nginx " + key.nginx + " (" + max.getKey().where() + ")")
                        .put(key.vipgate, key.write.apply(max.getValue()));
                values.forEach((d, v) -> {
                    if (!v.equals(max.getValue())) {
                        changed(d, "vipgate has one " + key.vipgate + " for every server and location: the largest, "
                                + max.getKey().arg().orElse("") + " (" + max.getKey().where() + "), applies here too");
                    }
                });
            });
        }
        return client;
    }

    // ---- helpers ----

    @SafeVarargs
    private static <T> Set<T> union(Set<T>... sets) {
        Set<T> all = new HashSet<>();
        for (Set<T> s : sets) {
            all.addAll(s);
        }
        return Set.copyOf(all);
    }

    private static <T> List<T> union(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static Optional<Long> onOff(String value) {
        return switch (value) {
            case "on" -> Optional.of(1L);
            case "off" -> Optional.of(0L);
            default -> Optional.empty();
        };
    }

    private static Optional<Long> millis(String value) {
        return NginxValues.time(value).map(Duration::toMillis);
    }

    private static Object durationMillis(long millis) {
        return NginxValues.duration(Duration.ofMillis(millis));
    }

    /** Whether vipgate knows every variable of {@code text}; reported when not. */
    private boolean template(Directive d, String text) {
        return template(d, text, Set.of());
    }

    /** {@link #template(Directive, String)} where the maps are variables too (header rules, rewrites, returns). */
    private boolean template(Directive d, String text, Set<String> names) {
        try {
            Template.parse(text, names);
            return true;
        } catch (IllegalArgumentException e) {
            notMapped(d, e.getMessage());
            return false;
        }
    }

    private void notMapped(Directive d, String why) {
        if (told.add(d.where() + " " + d.name() + " " + why)) {
            report.notMapped(d, why);
        }
    }

    private void changed(Directive d, String how) {
        if (told.add(d.where() + " " + d.name() + " " + how)) {
            report.changed(d, how);
        }
    }

    private static String why(String name) {
        String why = WHY.get(name);
        if (why != null) {
            return why;
        }
        if (name.startsWith("ssl_stapling") || name.equals("ssl_trusted_certificate")) {
            return "vipgate does no OCSP stapling yet; clients ask the CA themselves";
        }
        if (name.startsWith("ssl_")) {
            return "vipgate's TLS has no such setting; left out";
        }
        if (name.startsWith("proxy_ssl_")) {
            return "vipgate's TLS to upstreams has no such setting; left out";
        }
        if (name.startsWith("gzip")) {
            return "vipgate does not compress; the upstream's compressed responses pass through";
        }
        if (name.startsWith("proxy_cache") || name.startsWith("proxy_temp") || name.startsWith("proxy_store")) {
            return "vipgate caches and stores nothing";
        }
        if (name.startsWith("limit_")) {
            return "vipgate maps limit_req, limit_conn, their zones and statuses only";
        }
        if (name.startsWith("lua_") || name.contains("_by_lua")) {
            return "vipgate runs no Lua (OpenResty's lua-nginx-module); whatever the code does is left out";
        }
        return "no vipgate equivalent; left out";
    }

    private static Map<String, String> whyNotMapped() {
        Map<String, String> why = new LinkedHashMap<>();
        String files = "not needed: vipgate serves no files, it only proxies";
        for (String d : List.of("sendfile", "tcp_nopush", "aio", "directio", "output_buffers", "open_file_cache", "root",
                "alias", "index", "autoindex", "try_files", "expires", "etag", "types", "default_type", "charset")) {
            why.put(d, files);
        }
        String buffering = "vipgate streams bodies unless vipgate.lb.proxy-buffering.responses / .requests = true (one"
                + " setting for the whole engine: memory, max-temp-file, temp-path); set it by hand";
        for (String d : List.of("proxy_buffering", "proxy_buffers", "proxy_buffer_size", "proxy_busy_buffers_size",
                "proxy_max_temp_file_size", "proxy_temp_path", "proxy_temp_file_write_size", "proxy_request_buffering",
                "client_body_buffer_size")) {
            why.put(d, buffering);
        }
        String hashes = "not needed: sizes nginx's internal hash tables; vipgate has no such limit";
        for (String d : List.of("types_hash_max_size", "types_hash_bucket_size", "server_names_hash_max_size",
                "server_names_hash_bucket_size", "variables_hash_max_size", "variables_hash_bucket_size",
                "proxy_headers_hash_max_size", "proxy_headers_hash_bucket_size")) {
            why.put(d, hashes);
        }
        why.put("ignore_invalid_headers", "vipgate always drops request header fields with invalid names, as nginx's"
                + " default (on) does");
        why.put("user", "not needed: vipgate runs as its systemd unit's user");
        why.put("pid", "not needed: systemd tracks the vipgate process");
        why.put("error_log", "vipgate's own messages go to stderr (the journal on the appliance)");
        why.put("events", "not needed: vipgate's event loops take connections without a per-worker limit (the unit's"
                + " LimitNOFILE bounds them)");
        why.put("worker_rlimit_nofile", "set by the vipgate unit's LimitNOFILE");
        why.put("load_module", "vipgate has no modules");
        why.put("tcp_nodelay", "not needed: vipgate sets its own socket options");
        why.put("stream", "vipgate's lb proxies HTTP only; for TCP/UDP use vipgate.ipvs (kernel LVS)");
        why.put("mail", "vipgate does not proxy mail");
        why.put("if", "vipgate has no conditional configuration");
        why.put("set", "vipgate has no user variables");
        why.put("auth_basic", "vipgate does no authentication");
        why.put("auth_basic_user_file", "vipgate does no authentication");
        why.put("ssl", "write listen ... ssl (nginx's ssl on is deprecated); left out, so this server is plaintext");
        why.put("ssl_dhparam", "not needed: vipgate offers no DHE suites (ECDHE only)");
        why.put("ssl_ecdh_curve", "vipgate's TLS library chooses the curves (X25519, P-256, P-384)");
        why.put("ssl_session_ticket_key", "vipgate's TLS library makes and rotates its ticket keys itself, in memory; tickets"
                + " of the old box are not resumed");
        why.put("ssl_buffer_size", "not needed: vipgate sizes its TLS records itself");
        why.put("ssl_verify_client", "vipgate does not ask clients for certificates");
        why.put("ssl_client_certificate", "vipgate does not ask clients for certificates");
        why.put("ssl_early_data", "vipgate does not accept TLS 1.3 early data (replayable)");
        why.put("proxy_redirect", "vipgate does not rewrite the upstream's Location headers");
        why.put("proxy_intercept_errors", "vipgate passes the upstream's own error responses unchanged; its error"
                + " pages replace only the responses it makes itself");
        return Map.copyOf(why);
    }
}
