package vipgate.ipvs.config;

import com.typesafe.config.Config;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import vipgate.config.Section;
import vipgate.health.HealthCheckSpec;
import vipgate.health.StatusRange;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Addresses;
import vipgate.ipvs.netlink.Forwarding;
import vipgate.ipvs.netlink.Protocol;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Timeouts;
import vipgate.ipvs.netlink.Tunnel;

/** The whole ipvs configuration, bound from {@code vipgate.ipvs}. Immutable; a reload builds a new one. */
public record IpvsConfig(List<VirtualServerSpec> virtualServers, OnShutdown onShutdown, Timeouts timeouts,
        Optional<SyncDaemonSpec> syncDaemon, RealServerModeSpec realServerMode) {

    /** What to do with vipgate's services when it stops. */
    public enum OnShutdown { REMOVE, LEAVE }

    /** keepalived's lb_kind words. */
    public enum ForwardingWord { NAT, DR, TUN }

    /** The schedulers of Linux's ip_vs_*.ko, to catch a typo here rather than as ENOENT from the kernel. */
    static final List<String> SCHEDULERS = List.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
            "fo", "ovf", "mh", "twos");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public IpvsConfig {
        virtualServers = List.copyOf(virtualServers);
    }

    /** Nothing configured: the engine has nothing to do and does not even need IPVS in the kernel. */
    public boolean isEmpty() {
        return virtualServers.isEmpty() && syncDaemon.isEmpty();
    }

    /**
     * Reads {@code vipgate.ipvs}; problems are recorded in the section's collector (file:line), never thrown, so
     * every mistake of a file is reported at once.
     */
    public static IpvsConfig bind(Section ipvs, Config reference) {
        Config vsDefaults = Section.elementDefaults(reference, "vipgate-defaults.ipvs.virtual-server");
        Config rsDefaults = Section.elementDefaults(reference, "vipgate-defaults.ipvs.real-server");
        List<VirtualServerSpec> virtualServers = new ArrayList<>();
        Set<ServiceKey> keys = new HashSet<>();
        for (Section vs : ipvs.objectList("virtual-servers", vsDefaults)) {
            bindVirtualServer(vs, rsDefaults).ifPresent(spec -> {
                if (!keys.add(spec.service().key())) {
                    vs.problem("address", "service " + spec.service().key() + " is listed twice");
                } else {
                    virtualServers.add(spec);
                }
            });
        }
        OnShutdown onShutdown = ipvs.enumValue("on-shutdown", OnShutdown.class);
        Section t = ipvs.section("timeouts");
        Timeouts timeouts = new Timeouts(seconds(t, "tcp"), seconds(t, "tcp-fin"), seconds(t, "udp"));

        Section sd = ipvs.section("sync-daemon");
        String iface = sd.string("interface");
        String instance = sd.string("vrrp-instance");
        OptionalInt syncId = sd.isSetByUser("sync-id") ? OptionalInt.of(sd.integer("sync-id", 0, 255)) : OptionalInt.empty();
        Optional<SyncDaemonSpec> syncDaemon = Optional.empty();
        if (!iface.isEmpty()) {
            if (iface.length() > 15) {
                sd.problem("interface", "interface names have at most 15 characters, got '" + iface + "'");
            }
            if (instance.isEmpty()) {
                sd.problem("vrrp-instance", "the sync daemon follows a vrrp instance's state: write vrrp-instance = VI_1");
            }
            syncDaemon = Optional.of(new SyncDaemonSpec(iface, instance, syncId));
        } else if (!instance.isEmpty() || syncId.isPresent()) {
            sd.problem("interface", "write the interface the sync daemon uses, e.g. interface = eth0 (empty turns it off)");
        }

        Section rsm = ipvs.section("real-server-mode");
        List<InetAddress> vips = new ArrayList<>();
        for (String v : rsm.strings("virtual-addresses")) {
            Optional<InetAddress> vip = literal(v);
            if (vip.isEmpty()) {
                rsm.problem("virtual-addresses", "'" + v + "' is not an IP address; write e.g. \"192.168.1.120\"");
            } else if (!(vip.get() instanceof Inet4Address)) {
                // IPv6 answers neighbour solicitations for an address on lo, and has no arp_ignore to stop it
                rsm.problem("virtual-addresses", "'" + v + "': real-server-mode is IPv4 only");
            } else {
                vips.add(vip.get());
            }
        }
        String rsmInterface = rsm.string("interface");
        if (rsmInterface.isBlank()) {
            rsm.problem("interface", "write the interface that holds the VIPs, normally lo");
        }
        return new IpvsConfig(virtualServers, onShutdown, timeouts, syncDaemon, new RealServerModeSpec(vips, rsmInterface));
    }

    private static Optional<VirtualServerSpec> bindVirtualServer(Section vs, Config rsDefaults) {
        String address = vs.string("address");
        int fwmark = vs.integer("fwmark");
        Protocol protocol = vs.enumValue("protocol", Protocol.class);
        String scheduler = vs.string("scheduler");
        if (!SCHEDULERS.contains(scheduler)) {
            vs.problem("scheduler", "unknown scheduler '" + scheduler + "'; write one of " + String.join(" ", SCHEDULERS));
            scheduler = "wlc";
        }
        int flags = schedulerFlags(vs, scheduler) | (vs.bool("one-packet") ? Service.ONE_PACKET : 0);
        if ((flags & Service.ONE_PACKET) != 0 && protocol != Protocol.UDP && fwmark == 0) {
            vs.problem("one-packet", "one-packet scheduling is for udp services");
        }
        Forwarding forwarding = switch (vs.enumValue("forwarding", ForwardingWord.class)) {
            case NAT -> Forwarding.MASQ;
            case DR -> Forwarding.DIRECT_ROUTE;
            case TUN -> Forwarding.TUNNEL;
        };
        Tunnel tunnel = bindTunnel(vs.section("tunnel"), forwarding);

        List<Section> rsSections = vs.objectList("real-servers", rsDefaults);
        ServiceKey key = null;
        int servicePort = 0;
        if (fwmark != 0) {
            if (!address.isEmpty()) {
                vs.problem("fwmark", "a service is either an address or a fwmark; remove address or fwmark");
            }
            key = ServiceKey.fwmark(fwmark, fwmarkFamily(rsSections));
        } else {
            Optional<InetAddress> ip = Optional.empty();
            try {
                int colon = address.lastIndexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("no port");
                }
                servicePort = Integer.parseInt(address.substring(colon + 1));
                ip = literal(address.substring(0, colon).replaceAll("^\\[|]$", ""));
                if (servicePort < 0 || servicePort > 65535) {
                    throw new IllegalArgumentException("port");
                }
            } catch (IllegalArgumentException e) {
                ip = Optional.empty();
            }
            if (ip.isEmpty()) {
                vs.problem("address", "write the service as \"IP:PORT\", e.g. \"192.168.1.120:80\" or \"[2001:db8::10]:80\" "
                        + "(or use fwmark), got '" + address + "'");
                return Optional.empty();
            }
            key = ServiceKey.of(protocol, ip.get(), servicePort);
        }
        Service service = new Service(key, scheduler, flags, 0, Service.fullNetmask(key.family()), "");
        service = bindPersistence(vs, service);
        if (servicePort == 0 && fwmark == 0 && !service.persistent()) {
            vs.problem("address", "port 0 (every port) needs persistence: set persistence-timeout");
        }

        List<RealServerSpec> realServers = new ArrayList<>();
        for (Section rs : rsSections) {
            bindRealServer(rs, key, servicePort, forwarding).ifPresent(spec -> {
                if (realServers.stream().anyMatch(o -> o.address().equals(spec.address()) && o.port() == spec.port())) {
                    rs.problem("address", "real server " + spec + " is listed twice in " + vs.path());
                } else {
                    realServers.add(spec);
                }
            });
        }
        int quorum = vs.integer("quorum", 1, Integer.MAX_VALUE);
        // hysteresis >= quorum is allowed, as in keepalived: quorum is then lost only when no real server is live
        int hysteresis = vs.integer("hysteresis", 0, Integer.MAX_VALUE);
        Optional<VirtualServerSpec.SorryServer> sorry = Optional.empty();
        String sorryText = vs.string("sorry-server");
        if (!sorryText.isEmpty()) {
            Optional<Endpoint> e = endpoint(sorryText, servicePort);
            if (e.isEmpty()) {
                vs.problem("sorry-server", "write \"IP\" or \"IP:PORT\", e.g. \"192.168.1.30:80\", got '" + sorryText + "'");
            } else if (realServers.stream().anyMatch(r -> r.address().equals(e.get().address()) && r.port() == e.get().port())) {
                vs.problem("sorry-server", Addresses.withPort(e.get().address(), e.get().port()) + " is also a real server");
            } else {
                sorry = Optional.of(new VirtualServerSpec.SorryServer(e.get().address(), e.get().port()));
            }
        }
        Section notify = vs.section("notify");
        return Optional.of(new VirtualServerSpec(service, forwarding, tunnel, realServers, quorum, hysteresis, sorry,
                vs.bool("sorry-server-inhibit"), vs.bool("inhibit-on-failure"), vs.bool("alpha"), vs.bool("omega"),
                notify.strings("quorum-up"), notify.strings("quorum-down")));
    }

    private static int schedulerFlags(Section vs, String scheduler) {
        int flags = 0;
        for (String word : vs.strings("scheduler-flags")) {
            String w = word.toLowerCase(Locale.ROOT);
            int flag = switch (w) {
                case "sh-fallback", "mh-fallback", "flag-1" -> Service.SCHED1;
                case "sh-port", "mh-port", "flag-2" -> Service.SCHED2;
                case "flag-3" -> Service.SCHED3;
                default -> 0;
            };
            boolean fits = flag != 0 && (w.startsWith("flag-") || w.startsWith(scheduler + "-"));
            if (!fits) {
                vs.problem("scheduler-flags", "'" + word + "' is not a flag of scheduler " + scheduler
                        + "; sh takes sh-fallback, sh-port; mh takes mh-fallback, mh-port; any takes flag-1..flag-3");
            } else {
                flags |= flag;
            }
        }
        return flags;
    }

    private static Tunnel bindTunnel(Section t, Forwarding forwarding) {
        Tunnel.Type type = t.enumValue("type", Tunnel.Type.class);
        int port = t.integer("port", 0, 65535);
        Tunnel.Checksum checksum = t.enumValue("checksum", Tunnel.Checksum.class);
        if (forwarding != Forwarding.TUNNEL) {
            return Tunnel.IPIP;
        }
        if (type == Tunnel.Type.GUE && port == 0) {
            t.problem("port", "a gue tunnel needs the real servers' GUE port, e.g. port = 6080");
            port = 6080;
        }
        return new Tunnel(type, port, checksum);
    }

    private static Service bindPersistence(Section vs, Service service) {
        Duration timeout = vs.duration("persistence-timeout");
        String mask = vs.string("persistence-netmask").trim();
        int netmask = service.netmask();
        boolean v4 = service.key().family() == AddressFamily.INET;
        if (!mask.isEmpty()) {
            OptionalInt parsed = v4 ? ipv4Mask(mask) : prefix(mask);
            if (parsed.isEmpty()) {
                vs.problem("persistence-netmask", v4 ? "write an IPv4 netmask such as \"255.255.255.0\", got '" + mask + "'"
                        : "write an IPv6 prefix length 1..128 such as \"64\", got '" + mask + "'");
            } else {
                netmask = parsed.getAsInt();
            }
        }
        if (timeout.isZero() && mask.isEmpty()) {
            return service;
        }
        long seconds = timeout.isZero() ? Service.DEFAULT_PERSISTENCE_SECONDS : Math.max(1, timeout.toSeconds());
        if (seconds > Integer.MAX_VALUE) {
            vs.problem("persistence-timeout", "is too long");
            seconds = Service.DEFAULT_PERSISTENCE_SECONDS;
        }
        return service.withPersistence((int) seconds, netmask);
    }

    private static Optional<RealServerSpec> bindRealServer(Section rs, ServiceKey key, int servicePort, Forwarding forwarding) {
        String text = rs.string("address");
        Optional<Endpoint> endpoint = endpoint(text, servicePort);
        int weight = rs.integer("weight", 0, 65535);
        int upper = rs.integer("upper-threshold", 0, Integer.MAX_VALUE);
        int lower = rs.integer("lower-threshold", 0, Integer.MAX_VALUE);
        if (upper > 0 && lower > upper) {
            rs.problem("lower-threshold", "must not exceed upper-threshold (" + upper + ")");
        }
        Section notify = rs.section("notify");
        List<String> up = notify.strings("up");
        List<String> down = notify.strings("down");
        CheckSpec check = bindCheck(rs.section("check"));
        if (endpoint.isEmpty()) {
            rs.problem("address", "write the real server as \"IP\" or \"IP:PORT\", e.g. \"192.168.1.21:80\", got '" + text + "'");
            return Optional.empty();
        }
        Endpoint e = endpoint.get();
        if (forwarding != Forwarding.TUNNEL && AddressFamily.of(e.address()) != key.family()) {
            rs.problem("address", "a " + (key.family() == AddressFamily.INET ? "IPv4" : "IPv6")
                    + " service needs real servers of the same family (only tun forwarding can mix them)");
        }
        if (forwarding != Forwarding.MASQ && key instanceof ServiceKey.Address && e.port() != servicePort) {
            rs.problem("address", "dr and tun forwarding cannot change the port: the real server must listen on "
                    + servicePort + " (only nat can map ports)");
        }
        if (check.enabled() && check.type() != HealthCheckSpec.Type.SCRIPT && e.port() == 0 && check.port() == 0) {
            rs.problem("check", "this real server has no port to probe; write check.port");
        }
        return Optional.of(new RealServerSpec(e.address(), e.port(), weight, upper, lower, check, up, down));
    }

    private static CheckSpec bindCheck(Section c) {
        HealthCheckSpec.Type type = c.enumValue("type", HealthCheckSpec.Type.class);
        Duration interval = c.duration("interval");
        if (interval.isZero()) {
            c.problem("interval", "must be longer than 0s, e.g. 6s");
            interval = Duration.ofSeconds(60);
        }
        Duration connectTimeout = c.duration("connect-timeout");
        if (connectTimeout.isZero()) {
            c.problem("connect-timeout", "must be longer than 0s, e.g. 5s");
            connectTimeout = Duration.ofSeconds(5);
        }
        int retry = c.integer("retry", 0, 1000);
        Duration delayBeforeRetry = type == HealthCheckSpec.Type.HTTP && !c.isSetByUser("delay-before-retry")
                ? Duration.ofSeconds(3) : c.duration("delay-before-retry");
        Duration warmup = c.isSetByUser("warmup") ? c.duration("warmup") : interval;
        int port = c.integer("port", 0, 65535);
        String path = c.string("path");
        if (!path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
            c.problem("path", "must start with / and contain no spaces, e.g. \"/healthz\"; got '" + path + "'");
            path = "/";
        }
        StatusRange expect;
        try {
            expect = StatusRange.parse(c.string("expect-status"));
        } catch (IllegalArgumentException e) {
            c.problem("expect-status", e.getMessage());
            expect = StatusRange.parse("200-299");
        }
        String host = c.string("host");
        List<String> script = c.strings("script");
        if (type == HealthCheckSpec.Type.SCRIPT && (script.isEmpty() || script.get(0).isBlank())) {
            c.problem("script", "type = script needs a command, e.g. script = [\"/etc/vipgate/check-web.sh\", \"10.0.0.2\"]");
        }
        return new CheckSpec(type, interval, connectTimeout, retry, delayBeforeRetry, warmup, port, path, expect, host, script);
    }

    private record Endpoint(InetAddress address, int port) {
    }

    /** "IP", "IP:PORT", "[IPv6]:PORT" or a bare IPv6 literal; the port defaults to {@code defaultPort}. */
    private static Optional<Endpoint> endpoint(String text, int defaultPort) {
        String s = text.trim();
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return Optional.empty();
                }
                port = parsePort(rest.substring(1));
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = parsePort(s.substring(s.indexOf(':') + 1));
        }
        if (port < 0) {
            return Optional.empty();
        }
        int p = port;
        return literal(host).map(a -> new Endpoint(a, p));
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 0 && port <= 65535 ? port : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An IP literal, never a host name: IPVS is programmed with addresses, and DNS must not block a reload. */
    static Optional<InetAddress> literal(String text) {
        if (!IPV4.matcher(text).matches() && (text.indexOf(':') < 0 || !text.matches("[0-9a-fA-F:.]+"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The family of a fwmark service: its real servers' (IPv4 when they have none or cannot be read yet). */
    private static AddressFamily fwmarkFamily(List<Section> realServers) {
        for (Section rs : realServers) {
            Optional<Endpoint> e = endpoint(rs.string("address"), 0);
            if (e.isPresent()) {
                return e.get().address() instanceof Inet4Address ? AddressFamily.INET : AddressFamily.INET6;
            }
        }
        return AddressFamily.INET;
    }

    private static OptionalInt ipv4Mask(String text) {
        Optional<InetAddress> a = IPV4.matcher(text).matches() ? literal(text) : Optional.empty();
        if (a.isEmpty()) {
            return OptionalInt.empty();
        }
        byte[] b = a.get().getAddress();
        return OptionalInt.of(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
    }

    private static OptionalInt prefix(String text) {
        try {
            int p = Integer.parseInt(text.startsWith("/") ? text.substring(1) : text);
            return p >= 1 && p <= 128 ? OptionalInt.of(p) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static int seconds(Section s, String key) {
        long seconds = s.duration(key).toSeconds();
        if (seconds > Integer.MAX_VALUE) {
            s.problem(key, "is too long");
            return 0;
        }
        return (int) seconds;
    }
}
