package vipgate.vrrp.config;

import com.typesafe.config.Config;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vipgate.config.Section;
import vipgate.vrrp.state.State;
import vipgate.vrrp.track.TrackedObject;
import vipgate.vrrp.wire.AuthType;
import vipgate.vrrp.wire.VrrpPacket;

/** The whole vrrp configuration, bound from {@code vipgate.vrrp}. Immutable; a reload builds a new one. */
public record VrrpConfig(int version, Map<String, InstanceSpec> instances, Map<String, ScriptSpec> scripts,
        Map<String, SyncGroupSpec> syncGroups, Optional<Path> notifyFifo, SmtpSpec smtp) {

    /** The states a user may start an instance in. */
    public enum InitialState { MASTER, BACKUP }

    /** keepalived's auth_type words; AH is gone from keepalived 2.x. */
    public enum AuthWord { NONE, PASS }

    private static final int PASSWORD_BYTES = 8;

    /**
     * Reads {@code vipgate.vrrp}; problems are recorded in the section's collector, never thrown, so every
     * mistake of a file is reported at once.
     */
    public static VrrpConfig bind(Section vrrp, Config reference) {
        Config instanceDefaults = Section.elementDefaults(reference, "vipgate-defaults.vrrp.instance");
        Config scriptDefaults = Section.elementDefaults(reference, "vipgate-defaults.vrrp.script");
        Config groupDefaults = Section.elementDefaults(reference, "vipgate-defaults.vrrp.sync-group");
        Config trackScriptDefaults = Section.elementDefaults(reference, "vipgate-defaults.vrrp.track-script");
        Config trackInterfaceDefaults = Section.elementDefaults(reference, "vipgate-defaults.vrrp.track-interface");

        int version = vrrp.integer("version");
        if (version != 2 && version != 3) {
            vrrp.problem("version", "must be 2 or 3, got " + version);
            version = 2;
        }
        Map<String, ScriptSpec> scripts = new LinkedHashMap<>();
        vrrp.namedObjects("scripts", scriptDefaults).forEach((name, s) -> scripts.put(name, bindScript(name, s)));

        Map<String, InstanceSpec> instances = new LinkedHashMap<>();
        Map<String, Section> instanceSections = vrrp.namedObjects("instances", instanceDefaults);
        for (Map.Entry<String, Section> e : instanceSections.entrySet()) {
            instances.put(e.getKey(), bindInstance(e.getKey(), e.getValue(), version, scripts, trackScriptDefaults,
                    trackInterfaceDefaults));
        }
        checkDuplicateVrids(instances, instanceSections);

        Map<String, SyncGroupSpec> groups = new LinkedHashMap<>();
        Map<String, String> groupOf = new HashMap<>();
        vrrp.namedObjects("sync-groups", groupDefaults).forEach((name, g) -> {
            List<String> members = g.strings("instances");
            if (members.isEmpty()) {
                g.problem("instances", "a sync group needs instances, e.g. instances = [VI_1, VI_2]");
            }
            for (String m : members) {
                if (!instances.containsKey(m)) {
                    g.problem("instances", "no instance named '" + m + "'; define vipgate.vrrp.instances." + m
                            + " or use one of " + instances.keySet());
                } else if (groupOf.containsKey(m)) {
                    g.problem("instances", "instance '" + m + "' is already in sync group '" + groupOf.get(m)
                            + "'; an instance belongs to at most one group");
                } else {
                    groupOf.put(m, name);
                }
            }
            groups.put(name, new SyncGroupSpec(name, members, bindNotify(g.section("notify")), g.bool("smtp-alert")));
        });

        String fifo = vrrp.string("notify-fifo");
        Optional<Path> notifyFifo = fifo.isEmpty() ? Optional.empty() : Optional.of(Path.of(fifo));
        SmtpSpec smtp = bindSmtp(vrrp.section("smtp"));
        boolean wantsMail = instances.values().stream().anyMatch(InstanceSpec::smtpAlert)
                || groups.values().stream().anyMatch(SyncGroupSpec::smtpAlert);
        if (wantsMail && !smtp.enabled()) {
            vrrp.problem("smtp", "smtp-alert = true needs a mail relay: write smtp { server = \"192.168.200.1\", "
                    + "from = \"vipgate@example.com\", to = [\"ops@example.com\"] }");
        } else if (wantsMail && (smtp.to().isEmpty() || smtp.from().isEmpty())) {
            vrrp.problem("smtp", "smtp-alert = true needs smtp.from and at least one address in smtp.to");
        }
        return new VrrpConfig(version, Map.copyOf(instances), Map.copyOf(scripts), Map.copyOf(groups), notifyFifo, smtp);
    }

    private static ScriptSpec bindScript(String name, Section s) {
        List<String> command = s.stringOrList("script");
        if (command.size() == 1) {
            command = splitCommand(command.get(0));
        }
        if (command.isEmpty()) {
            s.problem("script", "write the command to run, e.g. script = [\"/etc/vipgate/check_nginx.sh\"]");
        }
        Duration interval = s.duration("interval");
        if (interval.isZero()) {
            s.problem("interval", "must be longer than 0s, e.g. 2s");
            interval = Duration.ofSeconds(1);
        }
        Duration timeout = s.duration("timeout");
        if (timeout.isZero()) {
            timeout = interval; // keepalived: timeout 0 means the interval
        }
        return new ScriptSpec(name, command.isEmpty() ? List.of("/bin/false") : command, interval, timeout,
                s.integer("weight", -253, 253), s.integer("rise", 1, 1000), s.integer("fall", 1, 1000), s.bool("init-fail"));
    }

    private static InstanceSpec bindInstance(String name, Section i, int version, Map<String, ScriptSpec> scripts,
            Config trackScriptDefaults, Config trackInterfaceDefaults) {
        String iface = i.string("interface");
        if (iface.isBlank()) {
            i.problem("interface", "write the interface VRRP runs on, e.g. interface = eth0");
        }
        int vrid = i.integer("virtual-router-id");
        if (vrid < 1 || vrid > 255) {
            i.problem("virtual-router-id", "must be between 1 and 255 and the same on every router of this VIP, got " + vrid);
            vrid = 1;
        }
        int priority = i.integer("priority", 1, 255);
        int advertCentis = advertInterval(i, version);
        State state = i.enumValue("state", InitialState.class) == InitialState.MASTER ? State.MASTER : State.BACKUP;
        boolean preempt = i.bool("preempt");
        Duration preemptDelay = i.duration("preempt-delay");
        if (preemptDelay.toSeconds() > 1000) {
            i.problem("preempt-delay", "must be at most 1000s (keepalived's limit), got " + preemptDelay.toSeconds() + "s");
            preemptDelay = Duration.ofSeconds(1000);
        }
        if (priority == 255 && state != State.MASTER) {
            // at the state line if written, else at the priority that makes the conflict
            i.problem(i.isSetByUser("state") ? "state" : "priority", "priority 255 makes this router the address owner, which starts as master: write "
                    + "state = master, or a priority below 255");
            state = State.MASTER;
        }
        for (String key : new String[] {"preempt", "preempt-delay"}) {
            boolean used = key.equals("preempt") ? !preempt : !preemptDelay.isZero();
            if (used && (state == State.MASTER || priority == 255)) {
                i.problem(key, (key.equals("preempt") ? "preempt = false (nopreempt)" : "preempt-delay")
                        + " only works with state = backup and priority below 255 (keepalived ignores it otherwise);"
                        + " write state = backup on every router and let priority decide");
            }
        }
        if (state == State.MASTER || priority == 255) {
            preempt = true;
            preemptDelay = Duration.ZERO;
        }

        Section auth = i.section("authentication");
        AuthType authType = auth.enumValue("type", AuthWord.class) == AuthWord.PASS ? AuthType.PASS : AuthType.NONE;
        String password = auth.string("password");
        if (version == 3 && authType != AuthType.NONE) {
            auth.problem("type", "VRRP version 3 has no authentication; remove the authentication block or use version = 2");
            authType = AuthType.NONE;
        } else if (authType == AuthType.PASS && password.isEmpty()) {
            auth.problem("password", "type = pass needs a password, e.g. password = \"1111\"");
        } else if (authType == AuthType.PASS && password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > PASSWORD_BYTES) {
            auth.problem("password", "at most 8 characters go on the wire (keepalived cuts the rest); write the first 8: \""
                    + password.substring(0, Math.min(password.length(), PASSWORD_BYTES)) + "\"");
        } else if (authType == AuthType.NONE && !password.isEmpty()) {
            auth.problem("password", "is ignored with type = none; write type = pass to use it");
        }

        List<VipSpec> vips = new ArrayList<>();
        for (String v : i.strings("virtual-ipaddresses")) {
            try {
                vips.add(VipSpec.parse(v));
            } catch (IllegalArgumentException e) {
                i.problem("virtual-ipaddresses", e.getMessage());
            }
        }
        if (i.strings("virtual-ipaddresses").isEmpty()) {
            i.problem("virtual-ipaddresses", "an instance needs at least one, e.g. virtual-ipaddresses = [\"192.168.1.50/24\"]");
        } else if (vips.stream().map(v -> v.address() instanceof Inet4Address).distinct().count() > 1) {
            i.problem("virtual-ipaddresses", "mixes IPv4 and IPv6; an advert carries one family: use one instance per family");
        } else if (version == 2 && vips.stream().anyMatch(v -> !(v.address() instanceof Inet4Address))) {
            i.problem("virtual-ipaddresses", "VRRP version 2 is IPv4 only; write vipgate.vrrp.version = 3 for IPv6");
        } else if (vips.size() > 255) {
            i.problem("virtual-ipaddresses", "at most 255 addresses fit in an advert, got " + vips.size());
        }

        Optional<InetAddress> unicastSource = Optional.empty();
        String source = i.string("unicast-source");
        if (!source.isEmpty()) {
            try {
                unicastSource = Optional.of(VipSpec.literal(source));
            } catch (IllegalArgumentException e) {
                i.problem("unicast-source", e.getMessage());
            }
        }
        List<InetAddress> peers = new ArrayList<>();
        for (String p : i.strings("unicast-peers")) {
            try {
                peers.add(VipSpec.literal(p));
            } catch (IllegalArgumentException e) {
                i.problem("unicast-peers", e.getMessage());
            }
        }
        if (!source.isEmpty() && i.strings("unicast-peers").isEmpty()) {
            // keepalived's unicast_fault_no_peer: falling back to multicast would make two masters where multicast is blocked
            i.problem("unicast-peers", "unicast-source is set but no peers are listed; write unicast-peers = "
                    + "[\"192.168.64.130\"] (there is no silent fallback to multicast)");
        }

        List<TrackedObject> trackScripts = new ArrayList<>();
        for (Section t : i.objectList("track-scripts", trackScriptDefaults)) {
            String scriptName = t.string("name");
            ScriptSpec script = scripts.get(scriptName);
            boolean weighted = t.isSetByUser("weight");
            int weight = weighted ? t.integer("weight", -253, 253) : script != null ? script.weight() : 0;
            if (script == null) {
                t.problem("name", "no script named '" + scriptName + "'; define vipgate.vrrp.scripts." + scriptName
                        + (scripts.isEmpty() ? "" : " or use one of " + scripts.keySet()));
            } else {
                trackScripts.add(new TrackedObject(TrackedObject.Kind.SCRIPT, scriptName, weight));
            }
        }
        List<TrackedObject> trackInterfaces = new ArrayList<>();
        for (Section t : i.objectList("track-interfaces", trackInterfaceDefaults)) {
            String ifName = t.string("name");
            if (ifName.isBlank()) {
                t.problem("name", "write the interface name, e.g. name = eth1");
            }
            trackInterfaces.add(new TrackedObject(TrackedObject.Kind.INTERFACE, ifName, t.integer("weight", -253, 253)));
        }
        Section lb = i.section("track-lb");
        boolean lbEnabled = lb.bool("enabled");
        int lbWeight = lb.integer("weight", -253, 253);
        Optional<TrackedObject> trackLb = lbEnabled
                ? Optional.of(new TrackedObject(TrackedObject.Kind.LB, "lb", lbWeight)) : Optional.empty();

        Section g = i.section("garp");
        GarpSpec garp = new GarpSpec(g.integer("repeat", 1, 255), g.duration("interval"), g.duration("master-delay"),
                g.duration("master-refresh"), g.integer("master-refresh-repeat", 1, 255));

        return new InstanceSpec(name, version, iface, vrid, priority, advertCentis, state, preempt, preemptDelay, authType,
                password, vips, unicastSource, peers, trackScripts, trackInterfaces, trackLb, garp,
                bindNotify(i.section("notify")), i.bool("smtp-alert"));
    }

    private static int advertInterval(Section i, int version) {
        Duration d = i.duration("advert-interval");
        long millis = d.toMillis();
        if (version == 2) {
            if (millis % 1000 != 0 || millis < 1000 || millis > 255_000) {
                i.problem("advert-interval", "VRRP version 2 sends whole seconds from 1s to 255s, got " + millis
                        + "ms; write e.g. 1s, or use version = 3 for shorter intervals");
                return 100;
            }
        } else if (millis % 10 != 0 || millis < 10 || millis > VrrpPacket.MAX_V3_INTERVAL_CENTIS * 10L) {
            i.problem("advert-interval", "VRRP version 3 sends centiseconds from 10ms to 40.95s, got " + millis + "ms");
            return 100;
        }
        return (int) (millis / 10);
    }

    private static NotifySpec bindNotify(Section n) {
        return new NotifySpec(command(n, "master"), command(n, "backup"), command(n, "fault"), command(n, "stop"),
                command(n, "any"));
    }

    /** A list is taken word for word; a single string is split at spaces, as keepalived splits notify_master. */
    private static List<String> command(Section n, String key) {
        List<String> words = n.stringOrList(key);
        return words.size() == 1 ? splitCommand(words.get(0)) : words;
    }

    private static List<String> splitCommand(String command) {
        String trimmed = command.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }

    private static void checkDuplicateVrids(Map<String, InstanceSpec> instances, Map<String, Section> sections) {
        Map<String, String> seen = new HashMap<>();
        instances.forEach((name, spec) -> {
            String family = spec.vips().stream().anyMatch(v -> !(v.address() instanceof Inet4Address)) ? "IPv6" : "IPv4";
            String key = spec.iface() + "/" + spec.vrid() + "/" + family;
            String other = seen.putIfAbsent(key, name);
            if (other != null) {
                sections.get(name).problem("virtual-router-id", "VRID " + spec.vrid() + " on " + spec.iface()
                        + " is already used by instance '" + other + "'; each instance on an interface needs its own");
            }
        });
    }

    private static SmtpSpec bindSmtp(Section s) {
        return new SmtpSpec(s.string("server").trim(), s.integer("port", 1, 65535), s.string("from"), s.strings("to"),
                s.duration("connect-timeout"), s.string("router-id"));
    }
}
