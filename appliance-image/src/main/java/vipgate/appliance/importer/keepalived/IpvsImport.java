package vipgate.appliance.importer.keepalived;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;

/**
 * keepalived's LVS half (virtual_server, real_server and their checkers) onto {@code vipgate.ipvs}. vipgate's ipvs
 * reference.conf already has keepalived's defaults (wlc, nat, delay_loop 60s, connect_timeout 5s...), so only what
 * the file says is written.
 */
final class IpvsImport {
    private static final Pattern IPV4_RANGE = Pattern.compile("((?:\\d{1,3}\\.){3})(\\d{1,3})-(\\d{1,3})");
    private static final Map<String, String> CHECKS = Map.of("TCP_CHECK", "tcp", "HTTP_GET", "http", "MISC_CHECK", "script",
            // vipgate's checkers speak no TLS: a connect to the port is the nearest check (better than none)
            "SSL_GET", "tcp");

    /** lvs_timeouts' words and vipgate's keys. */
    private static final Map<String, String> TIMEOUTS = Map.of("tcp", "tcp", "tcpfin", "tcp-fin", "udp", "udp");

    private final Hocon.Obj vipgate;
    private final Report report;
    private final Values values;
    private final List<Hocon.Obj> virtualServers = new ArrayList<>();
    /** virtual_server_group blocks by name, wherever they are in the file (a group may follow its user). */
    private final Map<String, Directive> groups = new LinkedHashMap<>();
    private final Set<String> usedGroups = new HashSet<>();

    IpvsImport(List<Directive> top, Hocon.Obj vipgate, Report report) {
        top.stream().filter(d -> d.name().equals("virtual_server_group") && d.args().size() == 1)
                .forEach(g -> groups.putIfAbsent(g.args().get(0), g));
        this.vipgate = vipgate;
        this.report = report;
        this.values = new Values(report);
    }

    /** The sync daemon following {@code instance}'s VRRP state. */
    static void syncDaemon(Hocon.Obj vipgate, String iface, String instance, String comment) {
        vipgate.obj("ipvs").comment(comment).obj("sync-daemon").put("interface", iface).put("vrrp-instance", instance);
    }

    /** global_defs {@code lvs_sync_daemon INTERFACE VRRP_INSTANCE [id N] ...}. */
    void syncDaemon(Directive d) {
        List<String> a = d.args();
        if (a.size() < 2) {
            report.notMapped(d, "write lvs_sync_daemon INTERFACE VRRP_INSTANCE [id SYNC_ID]");
            return;
        }
        syncDaemon(vipgate, a.get(0), a.get(1), "keepalived lvs_sync_daemon: master where " + a.get(1) + " is master");
        for (int i = 2; i < a.size(); i++) {
            if (a.get(i).equals("id") && i + 1 < a.size() && a.get(i + 1).matches("\\d{1,3}")) {
                vipgate.obj("ipvs").obj("sync-daemon").put("sync-id", Integer.parseInt(a.get(++i)));
            } else {
                String option = a.get(i) + (i + 1 < a.size() ? " " + a.get(++i) : "");
                report.notMapped(d, "'" + option + "' has no vipgate equivalent (the kernel's defaults apply)");
            }
        }
    }

    /** global_defs {@code lvs_timeouts [tcp N] [tcpfin N] [udp N]}, whole seconds as ipvsadm --set takes them. */
    void timeouts(Directive d) {
        Hocon.Obj out = new Hocon.Obj();
        List<String> a = d.args();
        for (int i = 0; i < a.size(); i += 2) {
            String key = TIMEOUTS.get(a.get(i));
            String value = i + 1 < a.size() ? a.get(i + 1) : "";
            if (key != null && value.matches("\\d{1,9}")) {
                out.put(key, new Hocon.Raw(Integer.parseInt(value) + "s"));
            } else {
                report.notMapped(d, "'" + (a.get(i) + " " + value).strip() + "': write tcp|tcpfin|udp SECONDS; left out");
            }
        }
        if (!out.isEmpty()) {
            vipgate.obj("ipvs").comment("keepalived lvs_timeouts").put("timeouts", out);
        }
    }

    /**
     * A {@code virtual_server IP PORT}, {@code fwmark N} or {@code group NAME} block: one vipgate virtual server per
     * service it stands for (a group's every address, range member and fwmark), each with the block's settings.
     */
    void virtualServer(Directive vs) {
        for (Service service : services(vs)) {
            virtualServers.add(virtualServer(vs, service));
        }
    }

    /** One IPVS service a virtual_server block stands for: {@code key = value} (address or fwmark) and its port. */
    private record Service(String key, Object value, int port) {
        static Service of(String ip, int port) {
            return new Service("address", endpoint(ip, port), port);
        }

        static Service fwmark(String mark) {
            return new Service("fwmark", Long.parseLong(mark), 0);
        }
    }

    private List<Service> services(Directive vs) {
        List<String> a = vs.args();
        if (a.size() == 2 && a.get(0).equals("fwmark") && a.get(1).matches("\\d{1,10}")) {
            return List.of(Service.fwmark(a.get(1)));
        }
        if (a.size() == 2 && a.get(1).matches("\\d{1,5}") && isIp(a.get(0))) {
            return List.of(Service.of(a.get(0), Integer.parseInt(a.get(1))));
        }
        if (a.size() == 2 && a.get(0).equals("group")) {
            Directive group = groups.get(a.get(1));
            if (group == null) {
                report.notMapped(vs, "no virtual_server_group " + a.get(1) + " is defined; left out");
                return List.of();
            }
            usedGroups.add(a.get(1));
            List<Service> services = new ArrayList<>();
            group.children().forEach(entry -> services.addAll(groupEntry(entry)));
            return services;
        }
        report.notMapped(vs, "write virtual_server IP PORT, fwmark N or group NAME; left out");
        return List.of();
    }

    /** {@code IP PORT}, {@code A.B.C.D-E PORT} (keepalived's range: D to E, both included) or {@code fwmark N}. */
    private List<Service> groupEntry(Directive entry) {
        List<String> a = entry.args();
        if (entry.name().equals("fwmark") && a.size() == 1 && a.get(0).matches("\\d{1,10}")) {
            return List.of(Service.fwmark(a.get(0)));
        }
        if (a.size() == 1 && a.get(0).matches("\\d{1,5}")) {
            int port = Integer.parseInt(a.get(0));
            Matcher range = IPV4_RANGE.matcher(entry.name());
            if (range.matches() && Integer.parseInt(range.group(2)) <= Integer.parseInt(range.group(3))
                    && Integer.parseInt(range.group(3)) <= 255) {
                return IntStream.rangeClosed(Integer.parseInt(range.group(2)), Integer.parseInt(range.group(3)))
                        .mapToObj(last -> Service.of(range.group(1) + last, port)).toList();
            }
            if (isIp(entry.name())) {
                return List.of(Service.of(entry.name(), port));
            }
        }
        report.notMapped(entry, "a virtual_server_group entry is IP PORT, A.B.C.D-E PORT or fwmark N; left out");
        return List.of();
    }

    private Hocon.Obj virtualServer(Directive vs, Service service) {
        Hocon.Obj out = new Hocon.Obj().put(service.key(), service.value());
        int port = service.port();
        // the service's delay_loop and virtualhost hold for every checker that does not set its own
        Defaults defaults = new Defaults(vs.first("delay_loop").flatMap(values::seconds),
                vs.first("virtualhost").flatMap(values::one));
        List<Hocon.Obj> reals = new ArrayList<>();
        List<Directive> inhibited = new ArrayList<>();
        Hocon.Obj notify = new Hocon.Obj();
        boolean inhibit = false;
        for (Directive d : vs.children()) {
            switch (d.name()) {
                case "delay_loop", "virtualhost" -> {
                    // read above, before the real servers that use them
                }
                case "lb_algo", "lvs_sched" -> values.one(d).ifPresent(v -> out.put("scheduler", v.toLowerCase(Locale.ROOT)));
                case "lb_kind", "lvs_method" -> values.one(d).ifPresent(v -> out.put("forwarding", v.toLowerCase(Locale.ROOT)));
                case "protocol" -> values.one(d).ifPresent(v -> out.put("protocol", v.toLowerCase(Locale.ROOT)));
                case "persistence_timeout" -> values.seconds(d).ifPresent(v -> out.put("persistence-timeout", v));
                case "persistence_granularity" -> values.one(d).ifPresent(v -> out.put("persistence-netmask", v));
                case "quorum", "hysteresis" -> values.integer(d).ifPresent(v -> out.put(d.name(), v));
                case "sorry_server" -> sorryServer(d, port).ifPresent(v -> out.put("sorry-server", v));
                case "sorry_server_inhibit" -> out.put("sorry-server-inhibit", values.flag(d));
                case "inhibit_on_failure" -> inhibit = values.flag(d);
                case "alpha", "omega" -> out.put(d.name(), values.flag(d));
                case "ops" -> out.comment("keepalived ops").put("one-packet", values.flag(d));
                case "quorum_up" -> notify.put("quorum-up", Values.command(d));
                case "quorum_down" -> notify.put("quorum-down", Values.command(d));
                case "real_server" -> realServer(d, port, defaults, inhibited).ifPresent(reals::add);
                default -> report.notMapped(d, "no vipgate equivalent in a virtual_server");
            }
        }
        // vipgate keeps inhibit_on_failure per service: one real server's own setting can only carry if all agree
        if (!inhibit && !inhibited.isEmpty() && inhibited.size() == reals.size()) {
            inhibit = true;
        } else if (!inhibit) {
            inhibited.forEach(d -> report.notMapped(d, "inhibit_on_failure is set per virtual_server in vipgate, and not "
                    + "every real server of this one has it; left out"));
        }
        if (inhibit) {
            out.put("inhibit-on-failure", true);
        }
        if (!notify.isEmpty()) {
            out.put("notify", notify);
        }
        out.put("real-servers", reals);
        return out;
    }

    /** Writes the collected services; call once at the end. */
    void finish() {
        groups.forEach((name, group) -> {
            if (!usedGroups.contains(name)) {
                report.notMapped(group, "no virtual_server group " + name + " uses it; left out");
            }
        });
        if (!virtualServers.isEmpty()) {
            vipgate.obj("ipvs").put("virtual-servers", virtualServers);
        }
    }

    /** What a virtual_server sets for the checks of all its real servers. */
    private record Defaults(Optional<Hocon.Raw> delayLoop, Optional<String> virtualhost) {
    }

    private Optional<Hocon.Obj> realServer(Directive rs, int servicePort, Defaults defaults, List<Directive> inhibited) {
        List<String> a = rs.args();
        if (a.isEmpty() || !isIp(a.get(0)) || (a.size() > 1 && !a.get(1).matches("\\d{1,5}")) || a.size() > 2) {
            report.notMapped(rs, "write real_server IP PORT; left out");
            return Optional.empty();
        }
        int port = a.size() > 1 ? Integer.parseInt(a.get(1)) : servicePort;
        Hocon.Obj out = new Hocon.Obj().put("address", endpoint(a.get(0), port));
        Hocon.Obj notify = new Hocon.Obj();
        Hocon.Obj check = null;
        boolean checked = false;
        for (Directive d : rs.children()) {
            switch (d.name()) {
                case "weight" -> values.integer(d).ifPresent(w -> out.put("weight", w));
                case "uthreshold" -> values.integer(d).ifPresent(w -> out.put("upper-threshold", w));
                case "lthreshold" -> values.integer(d).ifPresent(w -> out.put("lower-threshold", w));
                case "inhibit_on_failure" -> {
                    if (values.flag(d)) {
                        inhibited.add(d);
                    }
                }
                case "notify_up" -> notify.put("up", Values.command(d));
                case "notify_down" -> notify.put("down", Values.command(d));
                case "TCP_CHECK", "HTTP_GET", "MISC_CHECK", "SSL_GET" -> {
                    if (!checked) {
                        checked = true;
                        if (port == 0 && !d.name().equals("MISC_CHECK") && d.first("connect_port").isEmpty()) {
                            report.notMapped(d, "nothing to probe: the real server has no port (a fwmark service) and the "
                                    + "check no connect_port; write connect_port");
                        } else {
                            check = check(d, defaults);
                        }
                    } else {
                        report.notMapped(d, "vipgate runs one check per real server; the first one is kept");
                    }
                }
                default -> report.notMapped(d, d.name().endsWith("_CHECK")
                        ? "vipgate checks with TCP_CHECK, HTTP_GET, SSL_GET (as a TCP connect) or MISC_CHECK only; this "
                                + "real server is not checked by it"
                        : "no vipgate equivalent in a real_server");
            }
        }
        if (!notify.isEmpty()) {
            out.put("notify", notify);
        }
        if (check != null) {
            out.put("check", check);
        }
        return Optional.of(out);
    }

    private Hocon.Obj check(Directive c, Defaults defaults) {
        Hocon.Obj out = new Hocon.Obj().put("type", new Hocon.Raw(CHECKS.get(c.name())));
        boolean tls = c.name().equals("SSL_GET");
        if (tls) {
            report.changed(c, "vipgate's checkers speak no TLS: a TCP connect to the real server's port stands in (the "
                    + "handshake, url, status and digest are not checked)");
        }
        if (c.first("delay_loop").isEmpty()) {
            defaults.delayLoop.ifPresent(v -> out.comment("keepalived delay_loop of the virtual_server").put("interval", v));
        }
        boolean ownHost = c.first("virtualhost").isPresent()
                || c.all("url").stream().anyMatch(u -> u.first("virtualhost").isPresent());
        if (!ownHost) {
            defaults.virtualhost.ifPresent(v -> out.put("host", v));
        }
        for (Directive d : c.children()) {
            switch (d.name()) {
                case "connect_timeout", "misc_timeout" -> values.seconds(d).ifPresent(v -> out.put("connect-timeout", v));
                case "nb_get_retry", "retry" -> values.integer(d).ifPresent(v -> out.comment("keepalived " + d.name()
                        + ": tries after the first failure").put("retry", v));
                case "delay_before_retry" -> values.seconds(d).ifPresent(v -> out.put("delay-before-retry", v));
                case "delay_loop" -> values.seconds(d).ifPresent(v -> out.put("interval", v));
                case "warmup" -> values.seconds(d).ifPresent(v -> out.put("warmup", v));
                case "connect_port" -> values.integer(d).ifPresent(v -> out.put("port", v));
                case "virtualhost" -> values.one(d).ifPresent(v -> out.put("host", v));
                case "misc_path" -> out.put("script", Values.command(d));
                case "url" -> {
                    if (!tls) {
                        url(d, out, c);
                    }
                }
                default -> report.notMapped(d, "no vipgate equivalent in " + c.name());
            }
        }
        return out;
    }

    private void url(Directive url, Hocon.Obj check, Directive checker) {
        if (checker.all("url").indexOf(url) > 0) {
            report.notMapped(url, "vipgate checks one url per real server; the first one is kept");
            return;
        }
        for (Directive d : url.children()) {
            switch (d.name()) {
                case "path" -> values.one(d).ifPresent(v -> check.put("path", v));
                case "status_code" -> check.put("expect-status", String.join(",", d.args()));
                case "virtualhost" -> values.one(d).ifPresent(v -> check.put("host", v));
                default -> report.notMapped(d, "vipgate checks the status code only");
            }
        }
    }

    private Optional<String> sorryServer(Directive d, int servicePort) {
        List<String> a = d.args();
        if (a.isEmpty() || !isIp(a.get(0)) || (a.size() > 1 && !a.get(1).matches("\\d{1,5}"))) {
            report.notMapped(d, "write sorry_server IP [PORT]; left out");
            return Optional.empty();
        }
        return Optional.of(endpoint(a.get(0), a.size() > 1 ? Integer.parseInt(a.get(1)) : servicePort));
    }

    private static boolean isIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || s.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    }

    private static String endpoint(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }
}
