package vipgate.appliance.importer.keepalived;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;

/**
 * keepalived's VRRP half (vrrp_script, vrrp_instance, vrrp_sync_group) onto {@code vipgate.vrrp}. The vocabulary is
 * the same (vipgate's reference.conf follows keepalived), so most lines map one to one; keepalived's defaults are
 * vipgate's, so only what the file says is written.
 */
final class VrrpImport {
    /** VipSpec's options; keepalived knows more (no_track, preferred_lft...), which vipgate does not. */
    private static final Set<String> VIP_OPTIONS = Set.of("dev", "label", "brd", "scope");
    /** keepalived's garp directives: the same name with a vrrp_ prefix in global_defs sets every instance's. */
    private static final Map<String, String> GARP = Map.of("garp_master_delay", "master-delay", "garp_master_repeat", "repeat",
            "garp_master_refresh", "master-refresh", "garp_master_refresh_repeat", "master-refresh-repeat", "garp_interval",
            "interval");
    private static final Map<String, String> NOTIFY = Map.of("notify_master", "master", "notify_backup", "backup",
            "notify_fault", "fault", "notify_stop", "stop", "notify", "any");

    /** What replaces a process check: the lb engine's own health, which a running process does not tell. */
    private static final String TRACK_LB_INSTEAD = "; vipgate's instances track their own lb engine instead (track-lb: the "
            + "VIP leaves a box whose proxy has no live upstream, which a running process does not tell)";

    /** Why weight 0 stands for a script whose way to move the VIP was stopping keepalived. */
    private static final String STOPS_KEEPALIVED = ". Written with weight 0: FAULT does what keepalived stopping did "
            + "(priority 0, VIPs removed, the backup master at once), but ends by itself when the lb serves again, where a "
            + "stopped keepalived waited to be started. The restart has no vipgate equivalent: the proxy runs inside "
            + "vipgate, which systemd restarts when it dies";

    private final Hocon.Obj vipgate;
    private final Report report;
    private final Values values;
    /** Scripts that only check nginx, by name, with what they do; empty unless the nginx side was imported. */
    private final Map<String, NginxScript.Verdict> lbChecks = new HashMap<>();
    private final Map<String, Directive> scripts = new LinkedHashMap<>();
    /** Instances of a vrrp_sync_group without sync_group_tracking_weight: keepalived ignores their tracking weights. */
    private final Set<String> unweighted = new HashSet<>();
    private final Map<String, TrackedScript> tracked = new HashMap<>();
    /** vrrp_track_process blocks by name; only one watching nginx is mapped (to track-lb). */
    private final Map<String, Directive> processes = new HashMap<>();
    private final List<Directive> globalGarp = new ArrayList<>();
    private boolean globalSmtpAlert;
    /** global_defs vrrp_version, for the instances that set none. */
    private int globalVersion = 2;
    private boolean smtpComplete;

    /** @param scriptsDir where the old box's script files were copied (vipgate import --scripts) */
    VrrpImport(List<Directive> top, boolean lbImported, Optional<Path> scriptsDir, Hocon.Obj vipgate, Report report) {
        this.vipgate = vipgate;
        this.report = report;
        this.values = new Values(report);
        for (Directive d : top) {
            if (d.name().equals("vrrp_sync_group") && d.first("sync_group_tracking_weight").isEmpty()) {
                d.first("group").map(Values::listed).ifPresent(unweighted::addAll);
            }
            if (d.name().equals("vrrp_script") && d.block() && d.arg().isPresent()) {
                TrackedScript t = TrackedScript.of(d, scriptsDir);
                scripts.put(d.arg().get(), d);
                tracked.put(d.arg().get(), t);
                if (lbImported && t.nginx().isPresent()) {
                    lbChecks.put(d.arg().get(), t.nginx().get());
                }
            } else if (d.name().equals("vrrp_track_process") && d.block() && d.arg().isPresent()) {
                processes.put(d.arg().get(), d);
                if (lbImported && nginxProcess(d)) {
                    lbChecks.put(d.arg().get(), new NginxScript.Verdict("'process nginx' only checks that an nginx "
                            + "process exists", false));
                }
            }
        }
    }

    private Hocon.Obj vrrp() {
        return vipgate.obj("vrrp");
    }

    /** A global_defs line about VRRP; false when it is not one. */
    boolean global(Directive d) {
        String garp = d.name().startsWith("vrrp_") ? GARP.get(d.name().substring("vrrp_".length())) : null;
        if (garp != null) {
            globalGarp.add(d);
        } else if (d.name().equals("vrrp_version")) {
            values.integer(d).ifPresent(v -> version(d, v));
        } else if (d.name().equals("smtp_alert") || d.name().equals("smtp_alert_vrrp")) {
            globalSmtpAlert = values.flag(d);
        } else if (d.name().equals("notify_fifo") || d.name().equals("vrrp_notify_fifo")) {
            values.one(d).ifPresent(path -> vrrp().comment("keepalived " + d.name() + ": one line per state change, in order")
                    .put("notify-fifo", path));
        } else {
            return false;
        }
        return true;
    }

    /** Whether smtp server, sender and recipients are all known, so smtp-alert can be written. */
    void smtpComplete(boolean complete) {
        smtpComplete = complete;
    }

    private void version(Directive d, int v) {
        if (v == 2 || v == 3) {
            vrrp().put("version", v);
            globalVersion = v;
        } else {
            report.notMapped(d, "VRRP version is 2 or 3, got " + v + "; vipgate uses 2");
        }
    }

    /** The name of a {@code KIND NAME { ... }} block; reported with {@code form} when it has none or is no block. */
    private Optional<String> named(Directive d, String form) {
        if (d.arg().isEmpty() || !d.block()) {
            report.notMapped(d, "write " + form);
            return Optional.empty();
        }
        return d.arg();
    }

    void script(Directive s) {
        Optional<String> name = named(s, "vrrp_script NAME { script ... }");
        if (name.isEmpty()) {
            return;
        }
        NginxScript.Verdict lb = lbChecks.get(name.get());
        if (lb != null) {
            report.changed(s, lb.what() + TRACK_LB_INSTEAD
                    + (lb.stopsKeepalived() ? STOPS_KEEPALIVED : ""));
            return;
        }
        Hocon.Obj out = vrrp().obj("scripts").obj(name.get());
        for (Directive d : s.children()) {
            switch (d.name()) {
                case "script" -> script(d, out, name.get());
                case "interval", "timeout" -> values.seconds(d).ifPresent(v -> out.put(d.name(), v));
                case "weight" -> weight(d).ifPresent(w -> out
                        .comment("keepalived's rule: > 0 added while the script succeeds, < 0 subtracted while it fails, 0 = FAULT")
                        .put("weight", w));
                case "rise", "fall" -> values.integer(d).ifPresent(v -> out.put(d.name(), v));
                case "init_fail" -> out.put("init-fail", true);
                case "user" -> report.notMapped(d, "scripts run as vipgate's user; make the script safe for it");
                default -> report.notMapped(d, "no vipgate equivalent in a script");
            }
        }
        if (s.first("script").isEmpty()) {
            report.notMapped(s, "has no script line; vipgate will refuse the script until one is written");
        }
    }

    private void script(Directive d, Hocon.Obj out, String name) {
        List<String> command = Values.command(d);
        Optional<Directive> reverse = scripts.get(name).first("weight").filter(VrrpImport::reversed);
        if (reverse.isPresent() && !command.isEmpty()) {
            // keepalived applies the weight the other way round; the same weight on the negated exit status is that
            report.changed(reverse.get(), "'reverse': the script's exit status is negated (sh -c '! ...') and the weight kept, "
                    + "which adjusts the priority as keepalived's reverse does");
            List<String> negated = new ArrayList<>(List.of("/bin/sh", "-c", "! \"$0\" \"$@\""));
            negated.addAll(command);
            command = negated;
        }
        out.put("script", command);
        tracked.get(name).keptNote().ifPresent(note -> report.notMapped(d, note));
    }

    /** {@code weight N reverse}. */
    private static boolean reversed(Directive weight) {
        return weight.args().size() > 1 && weight.args().get(1).equals("reverse");
    }

    /** A weight from {@code weight N [reverse]} (reverse is handled where the weight is used), in keepalived's range. */
    private Optional<Integer> weight(Directive d) {
        Directive line = reversed(d) ? new Directive(d.name(), d.args().subList(0, 1), List.of(), false, d.file(), d.line()) : d;
        return values.integer(line).filter(w -> {
            boolean ok = w >= -253 && w <= 253;
            if (!ok) {
                report.notMapped(line, "weight must be within -253..253 (as keepalived), got " + w + "; left out");
            }
            return ok;
        });
    }

    void instance(Directive inst) {
        Optional<String> name = named(inst, "vrrp_instance NAME { ... }");
        if (name.isEmpty()) {
            return;
        }
        Hocon.Obj out = vrrp().obj("instances").obj(name.get());
        Map<String, Directive> garp = new LinkedHashMap<>();
        globalGarp.forEach(g -> garp.put(GARP.get(g.name().substring("vrrp_".length())), g));
        List<String> vips = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        List<Hocon.Obj> tracks = new ArrayList<>();
        List<Hocon.Obj> interfaces = new ArrayList<>();
        Hocon.Obj notify = new Hocon.Obj();
        Directive nopreempt = null;
        Directive preemptDelay = null;
        String state = "backup";
        int priority = 100;
        boolean smtpAlert = globalSmtpAlert;
        Optional<Integer> trackLb = Optional.empty();
        for (Directive d : inst.children()) {
            switch (d.name()) {
                case "interface" -> values.one(d).ifPresent(v -> out.put("interface", v));
                case "virtual_router_id" -> values.integer(d).ifPresent(v -> out.put("virtual-router-id", v));
                case "priority" -> {
                    Optional<Integer> p = values.integer(d);
                    if (p.isPresent()) {
                        priority = p.get();
                        out.put("priority", priority);
                    }
                }
                case "advert_int" -> values.seconds(d).ifPresent(v -> out.put("advert-interval", v));
                case "state" -> {
                    Optional<String> s = values.one(d).map(v -> v.toLowerCase(Locale.ROOT));
                    if (s.isPresent() && (s.get().equals("master") || s.get().equals("backup"))) {
                        state = s.get();
                        out.put("state", state);
                    } else {
                        s.ifPresent(v -> report.notMapped(d, "state is MASTER or BACKUP; vipgate starts as backup"));
                    }
                }
                case "nopreempt" -> nopreempt = d;
                case "preempt_delay" -> preemptDelay = d;
                case "version" -> values.integer(d).ifPresent(v -> version(d, v));
                case "authentication" -> authentication(d, version(inst), out);
                case "virtual_ipaddress" -> d.children().forEach(v -> vip(v).ifPresent(vips::add));
                case "unicast_src_ip" -> values.one(d).filter(v -> address(d, v)).ifPresent(v -> out.put("unicast-source", v));
                case "unicast_peer" -> d.children().forEach(p -> {
                    if (!p.args().isEmpty()) {
                        report.notMapped(p, "peer options " + p.args() + " have no vipgate equivalent; the address is kept");
                    }
                    if (address(p, p.name())) {
                        peers.add(p.name());
                    }
                });
                case "track_script", "track_process" -> {
                    for (Directive t : d.children()) {
                        if (unweighted.contains(name.get()) && scripts.containsKey(t.name()) && silentWeight(t) != 0) {
                            report.notMapped(t, "keepalived does not track a script with a weight in a vrrp_sync_group (no "
                                    + "sync_group_tracking_weight there), so neither does the import; track it with weight 0 "
                                    + "to have its failure put the group in FAULT");
                        } else if (lbChecks.containsKey(t.name()) && trackLb.isPresent()) {
                            report.notMapped(t, "the instance already tracks its lb engine for another nginx check");
                        } else if (lbChecks.containsKey(t.name())) {
                            trackLb = lbTrack(t, out);
                        } else if (d.name().equals("track_process")) {
                            report.notMapped(t, processes.containsKey(t.name()) ? "vipgate tracks no processes (see the "
                                    + "vrrp_track_process); not tracked" : "no vrrp_track_process named '" + t.name() + "'");
                        } else {
                            track(t, scripts.containsKey(t.name()), "vrrp_script").ifPresent(tracks::add);
                        }
                    }
                }
                case "track_interface" -> d.children().forEach(t -> track(unweighted.contains(name.get()) ? withoutWeight(t) : t,
                        true, "").ifPresent(interfaces::add));
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" ->
                        notify.put(NOTIFY.get(d.name()), Values.command(d));
                case "smtp_alert" -> smtpAlert = values.flag(d);
                case "garp_master_delay", "garp_master_repeat", "garp_master_refresh", "garp_master_refresh_repeat",
                        "garp_interval" -> garp.put(GARP.get(d.name()), d);
                case "lvs_sync_daemon_interface" -> values.one(d).ifPresent(i -> IpvsImport.syncDaemon(vipgate, i, name.get(),
                        "keepalived lvs_sync_daemon_interface of vrrp_instance " + name.get()));
                case "mcast_src_ip" -> report.notMapped(d, "vipgate sends multicast adverts from the interface's primary address");
                case "dont_track_primary" -> report.notMapped(d, "vipgate always tracks the instance's own interface");
                case "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules" ->
                        report.notMapped(d, "vipgate adds only virtual_ipaddress addresses; add these by other means");
                default -> report.notMapped(d, "no vipgate equivalent in a VRRP instance");
            }
        }
        preemption(out, state, priority, nopreempt, preemptDelay);
        if (!vips.isEmpty()) {
            out.put("virtual-ipaddresses", vips);
        }
        if (!peers.isEmpty()) {
            out.put("unicast-peers", peers);
        }
        if (!tracks.isEmpty()) {
            out.put("track-scripts", tracks);
        }
        if (!interfaces.isEmpty()) {
            out.put("track-interfaces", interfaces);
        }
        trackLb.ifPresent(w -> out.obj("track-lb").put("enabled", true).put("weight", w));
        garp(garp, out);
        if (!notify.isEmpty()) {
            out.put("notify", notify);
        }
        smtpAlert(inst, smtpAlert, out);
    }

    /** The weight of a track entry that becomes track-lb, with the comment that says why. */
    private Optional<Integer> lbTrack(Directive t, Hocon.Obj out) {
        NginxScript.Verdict lb = lbChecks.get(t.name());
        String kind = processes.containsKey(t.name()) && !scripts.containsKey(t.name()) ? "vrrp_track_process " : "vrrp_script ";
        if (lb.stopsKeepalived()) {
            out.comment(kind + t.name() + " becomes the built-in lb tracking with weight 0: failing puts the instance in "
                    + "FAULT, which gives the VIP up at once (priority 0) as the script's killall keepalived did; its weight "
                    + "never applied (the script exits 0)");
            return Optional.of(0);
        }
        out.comment(kind + t.name() + " (" + lb.what() + ") becomes the built-in lb tracking, same weight");
        return trackWeight(t);
    }

    private static boolean nginxProcess(Directive trackProcess) {
        return trackProcess.first("process").flatMap(Directive::arg).filter(p -> p.matches("(\\S*/)?nginx")).isPresent();
    }

    /** vrrp_track_process: mapped only when it watches nginx and the lb is imported; vipgate tracks no processes. */
    void trackProcess(Directive p) {
        Optional<String> name = named(p, "vrrp_track_process NAME { process PROCESS }");
        if (name.isEmpty()) {
            return;
        }
        if (lbChecks.containsKey(name.get())) {
            p.children().stream().filter(d -> !d.name().equals("process") && !d.name().equals("weight"))
                    .forEach(d -> report.notMapped(d, "track-lb has no such setting; it follows the lb engine directly"));
            report.changed(p, lbChecks.get(name.get()).what() + TRACK_LB_INSTEAD);
        } else {
            report.notMapped(p, "vipgate tracks no processes; " + (nginxProcess(p) ? "import the nginx.conf too to track "
                    + "vipgate's own lb engine instead" : "write a vrrp_script that checks it (e.g. pidof NAME) instead"));
        }
    }

    private void smtpAlert(Directive owner, boolean wanted, Hocon.Obj out) {
        if (wanted && smtpComplete) {
            out.put("smtp-alert", true);
        } else if (wanted) {
            report.notMapped(owner, "smtp_alert without smtp_server, notification_email_from and notification_email; "
                    + "keepalived sends no mail either");
        }
    }

    /** nopreempt and preempt_delay only work for state BACKUP below 255; keepalived ignores them otherwise. */
    private void preemption(Hocon.Obj out, String state, int priority, Directive nopreempt, Directive preemptDelay) {
        boolean applies = state.equals("backup") && priority < 255;
        String why = "keepalived ignores it with state MASTER or priority 255; write state BACKUP on every box and let "
                + "priority decide to keep a running master";
        if (nopreempt != null && applies) {
            out.comment("keepalived nopreempt").put("preempt", false);
        } else if (nopreempt != null) {
            report.notMapped(nopreempt, why);
        }
        if (preemptDelay != null && applies) {
            values.seconds(preemptDelay).ifPresent(v -> out.put("preempt-delay", v));
        } else if (preemptDelay != null) {
            report.notMapped(preemptDelay, why);
        }
    }

    /** The instance's VRRP version: its own version line, else global_defs'. */
    private int version(Directive inst) {
        return inst.first("version").flatMap(Directive::arg).flatMap(VrrpImport::parseInt).orElse(globalVersion);
    }

    private void authentication(Directive a, int version, Hocon.Obj instance) {
        if (version == 3) {
            // configs often keep the block when they move to VRRPv3; keepalived warns and runs without it
            report.notMapped(a, "VRRP version 3 has no authentication (keepalived ignores the block too); left out");
            return;
        }
        boolean pass = false;
        Optional<String> password = Optional.empty();
        for (Directive d : a.children()) {
            switch (d.name()) {
                case "auth_type" -> {
                    Optional<String> t = values.one(d);
                    pass = t.filter(v -> v.equalsIgnoreCase("PASS")).isPresent();
                    t.filter(v -> !v.equalsIgnoreCase("PASS")).ifPresent(v -> report.notMapped(d, "only PASS authentication "
                            + "exists in vipgate (AH is gone from keepalived 2.x too); adverts go unauthenticated"));
                }
                case "auth_pass" -> password = values.one(d).map(p -> {
                    if (p.length() > 8) {
                        report.changed(d, "keepalived puts only the first 8 characters on the wire; written as such");
                    }
                    return p.substring(0, Math.min(8, p.length()));
                });
                default -> report.notMapped(d, "no vipgate equivalent in authentication");
            }
        }
        if (pass) {
            Hocon.Obj out = instance.obj("authentication").put("type", "pass");
            password.ifPresent(p -> out.put("password", p));
        } else if (password.isPresent()) {
            // vipgate refuses a password it would not send, keepalived ignores it: the adverts are the same
            a.first("auth_pass").ifPresent(d -> report.notMapped(d, "sent only with auth_type PASS; left out"));
        }
    }

    /** A virtual_ipaddress line in VipSpec's form, with the options vipgate does not know dropped and reported. */
    private Optional<String> vip(Directive v) {
        if (!address(v, v.name())) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder(v.name());
        List<String> dropped = new ArrayList<>();
        List<String> args = v.args();
        for (int i = 0; i < args.size(); i++) {
            String word = args.get(i).equals("broadcast") ? "brd" : args.get(i);
            if (VIP_OPTIONS.contains(word) && i + 1 < args.size()) {
                out.append(' ').append(word).append(' ').append(args.get(++i));
            } else {
                dropped.add(args.get(i));
            }
        }
        if (!dropped.isEmpty()) {
            report.notMapped(v, "address options " + dropped + " have no vipgate equivalent; the address is kept");
        }
        return Optional.of(out.toString());
    }

    /** An IP literal, with a prefix where allowed; anything else (a host name, damage) is reported. */
    private boolean address(Directive d, String text) {
        boolean ok = text.matches("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?")
                || text.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/\\d{1,3})?");
        if (!ok) {
            report.notMapped(d, "'" + text + "' is not an IP address; left out");
        }
        return ok;
    }

    /** A track_script or track_interface entry: {@code NAME [weight N]}. */
    private Optional<Hocon.Obj> track(Directive t, boolean known, String kind) {
        if (!known) {
            report.notMapped(t, "no " + kind + " named '" + t.name() + "'; not tracked");
            return Optional.empty();
        }
        if (t.args().size() == 3 && t.args().get(0).equals("weight") && t.args().get(2).equals("reverse")) {
            report.notMapped(t, "'reverse' on a track line has no vipgate equivalent (tracking it with the weight the usual "
                    + "way round would turn its meaning over); not tracked; a vrrp_script's own weight N reverse is imported");
            return Optional.empty();
        }
        Hocon.Obj out = new Hocon.Obj().put("name", t.name());
        if (!t.args().isEmpty()) {
            trackWeight(t).ifPresent(w -> out.put("weight", w));
        }
        return Optional.of(out);
    }

    /** A track line's own weight, else its vrrp_script's or vrrp_track_process's (as keepalived), else 0. */
    private Optional<Integer> trackWeight(Directive t) {
        if (t.args().size() >= 2 && t.args().get(0).equals("weight")) {
            return weight(new Directive("weight", t.args().subList(1, t.args().size()), List.of(), false, t.file(), t.line()));
        }
        if (!t.args().isEmpty()) {
            report.notMapped(t, "write NAME weight N; " + t.args() + " ignored");
        }
        return Optional.of(scriptWeight(t.name()));
    }

    /** The vrrp_script's (or vrrp_track_process's) own weight, else 0. */
    private int scriptWeight(String name) {
        return Optional.ofNullable(scripts.getOrDefault(name, processes.get(name))).flatMap(s -> s.first("weight"))
                .flatMap(Directive::arg)
                .flatMap(VrrpImport::parseInt).orElse(0);
    }

    /** {@link #trackWeight} as keepalived would apply it, without reporting what is wrong with the line. */
    private int silentWeight(Directive t) {
        return t.args().size() >= 2 && t.args().get(0).equals("weight") ? parseInt(t.args().get(1)).orElse(0)
                : scriptWeight(t.name());
    }

    /** A tracked interface of a sync group member: keepalived sets its weight to 0, so it going down means FAULT. */
    private Directive withoutWeight(Directive t) {
        if (t.args().isEmpty()) {
            return t;
        }
        report.changed(t, "keepalived ignores tracking weights in a vrrp_sync_group (no sync_group_tracking_weight there): "
                + "down puts the instance and its group in FAULT; written as weight 0");
        return new Directive(t.name(), List.of(), List.of(), false, t.file(), t.line());
    }

    private static Optional<Integer> parseInt(String s) {
        try {
            return Optional.of(Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void garp(Map<String, Directive> garp, Hocon.Obj instance) {
        Hocon.Obj out = new Hocon.Obj();
        garp.forEach((key, d) -> {
            if (key.equals("interval") || key.equals("master-delay") || key.equals("master-refresh")) {
                values.seconds(d).ifPresent(v -> out.put(key, v));
            } else {
                values.integer(d).ifPresent(v -> out.put(key, v));
            }
        });
        if (!out.isEmpty()) {
            instance.comment("keepalived garp_* / vrrp_garp_* (global_defs)").put("garp", out);
        }
    }

    void syncGroup(Directive g) {
        Optional<String> name = named(g, "vrrp_sync_group NAME { group { VI_1 VI_2 } }");
        if (name.isEmpty()) {
            return;
        }
        Hocon.Obj out = vrrp().obj("sync-groups").obj(name.get());
        Hocon.Obj notify = new Hocon.Obj();
        boolean smtpAlert = globalSmtpAlert;
        for (Directive d : g.children()) {
            switch (d.name()) {
                case "group" -> out.put("instances", Values.listed(d));
                case "sync_group_tracking_weight" -> {
                    // the members' weights were kept (see unweighted), which is what vipgate does anyway
                }
                case "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify" ->
                        notify.put(NOTIFY.get(d.name()), Values.command(d));
                case "smtp_alert" -> smtpAlert = values.flag(d);
                default -> report.notMapped(d, "no vipgate equivalent in a sync group");
            }
        }
        if (!notify.isEmpty()) {
            out.put("notify", notify);
        }
        smtpAlert(g, smtpAlert, out);
    }
}
