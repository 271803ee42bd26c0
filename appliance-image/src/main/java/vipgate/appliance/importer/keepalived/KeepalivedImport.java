package vipgate.appliance.importer.keepalived;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Hocon;
import vipgate.appliance.importer.Report;

/**
 * The keepalived half of {@code vipgate import}: keepalived.conf (with its includes) onto the {@code vipgate { }}
 * object. Every directive is either written, with a comment where the mapping is not obvious, or told to the report;
 * none is dropped in silence, and no input makes it throw (only an unreadable file does).
 */
public final class KeepalivedImport {
    /** global_defs lines vipgate has no switch for, with why that is fine (or not). */
    private static final Map<String, String> GLOBAL_NOT_MAPPED = Map.of(
            "vrrp_skip_check_adv_addr", "vipgate checks every advert's addresses, as keepalived does without it",
            "vrrp_strict", "vipgate adds no firewall rules; its VIPs answer (what users of vrrp_strict usually disable it for)",
            "enable_script_security", "always on in vipgate: a script writable by others is refused when running as root",
            "script_user", "scripts run as vipgate's user",
            "vrrp_gna_interval", "vipgate's garp.interval covers unsolicited NA too; write vrrp_garp_interval");

    private final Hocon.Obj vipgate;
    private final Report report;
    private final Values values;

    private KeepalivedImport(Hocon.Obj vipgate, Report report) {
        this.vipgate = vipgate;
        this.report = report;
        this.values = new Values(report);
    }

    /**
     * Maps {@code keepalivedConf} into {@code vipgate} (the object inside {@code vipgate { }}).
     *
     * @param lbImported the nginx side was imported into the same config, so a script that only checks nginx can
     *     become the instance's built-in lb tracking
     * @param scriptsDir where the old box's script files were copied: tracked script files are looked for there by
     *     name (then at their own path), so a file that only looks after nginx can become lb tracking
     * @throws IOException when {@code keepalivedConf} itself cannot be read (a missing include is a finding)
     */
    public static void into(Path keepalivedConf, boolean lbImported, Optional<Path> scriptsDir, Hocon.Obj vipgate, Report report)
            throws IOException {
        List<Directive> top = new KeepalivedParser(report).parse(keepalivedConf);
        new KeepalivedImport(vipgate, report).map(top, lbImported, scriptsDir);
    }

    private void map(List<Directive> top, boolean lbImported, Optional<Path> scriptsDir) {
        VrrpImport vrrp = new VrrpImport(top, lbImported, scriptsDir, vipgate, report);
        IpvsImport ipvs = new IpvsImport(top, vipgate, report);
        // global_defs first: its defaults (garp, smtp_alert, vrrp_version) hold for instances written before it too
        List<Directive> globals = top.stream().filter(d -> d.name().equals("global_defs")).toList();
        globals.forEach(g -> globalDefs(g, vrrp, ipvs, top));
        for (Directive d : top) {
            switch (d.name()) {
                case "global_defs" -> {
                    // mapped above
                }
                case "vrrp_script" -> vrrp.script(d);
                case "vrrp_track_process" -> vrrp.trackProcess(d);
                case "vrrp_instance" -> vrrp.instance(d);
                case "vrrp_sync_group" -> vrrp.syncGroup(d);
                case "virtual_server" -> ipvs.virtualServer(d);
                case "virtual_server_group" -> {
                    if (d.args().size() != 1) {
                        report.notMapped(d, "write virtual_server_group NAME { IP PORT ... }; left out");
                    }
                    // otherwise expanded where a virtual_server group NAME uses it
                }
                case "static_ipaddress", "static_routes", "static_rules" ->
                        report.notMapped(d, "vipgate adds no static addresses or routes; configure them in the system");
                default -> report.notMapped(d, "unknown or unsupported keepalived directive");
            }
        }
        ipvs.finish();
    }

    private void globalDefs(Directive g, VrrpImport vrrp, IpvsImport ipvs, List<Directive> top) {
        Hocon.Obj smtp = new Hocon.Obj();
        Optional<String> routerId = Optional.empty();
        for (Directive d : g.children()) {
            switch (d.name()) {
                case "router_id" -> {
                    routerId = values.one(d);
                    routerId.ifPresent(id -> vipgate.comment("keepalived router_id").put("node-name", id));
                }
                case "notification_email" -> smtp.put("to", Values.listed(d));
                case "notification_email_from" -> values.one(d).ifPresent(v -> smtp.put("from", v));
                case "smtp_server" -> smtpServer(d, smtp);
                case "smtp_connect_timeout" -> values.seconds(d).ifPresent(v -> smtp.put("connect-timeout", v));
                case "lvs_sync_daemon" -> ipvs.syncDaemon(d);
                case "lvs_timeouts" -> ipvs.timeouts(d);
                case "lvs_sync_daemon_interface" -> oldSyncDaemon(d, top);
                default -> {
                    if (!vrrp.global(d)) {
                        report.notMapped(d, GLOBAL_NOT_MAPPED.getOrDefault(d.name(), "no vipgate equivalent in global_defs"));
                    }
                }
            }
        }
        boolean complete = g.first("smtp_server").isPresent() && g.first("notification_email_from").isPresent()
                && g.first("notification_email").isPresent();
        vrrp.smtpComplete(complete);
        if (!smtp.isEmpty()) {
            // keepalived's subject line is [router_id]; vipgate's node-name would do, but this keeps it exact
            routerId.ifPresent(id -> smtp.put("router-id", id));
            vipgate.obj("vrrp").comment("keepalived global_defs smtp_* / notification_email*; mails go out for instances "
                    + "with smtp-alert").put("smtp", smtp);
        }
    }

    private void smtpServer(Directive d, Hocon.Obj smtp) {
        if (d.args().isEmpty() || d.args().size() > 2 || (d.args().size() == 2 && !d.args().get(1).matches("\\d{1,5}"))) {
            report.notMapped(d, "write smtp_server HOST [PORT]; left out");
            return;
        }
        smtp.put("server", d.args().get(0));
        if (d.args().size() == 2) {
            smtp.put("port", Integer.parseInt(d.args().get(1)));
        }
    }

    /** keepalived 1.x: the interface in global_defs, the instance implied when there is only one. */
    private void oldSyncDaemon(Directive d, List<Directive> top) {
        List<String> instances = top.stream().filter(t -> t.name().equals("vrrp_instance")).flatMap(t -> t.arg().stream()).toList();
        Optional<String> iface = values.one(d);
        if (iface.isPresent() && instances.size() == 1) {
            IpvsImport.syncDaemon(vipgate, iface.get(), instances.get(0), "keepalived lvs_sync_daemon_interface: follows the "
                    + "only vrrp_instance, " + instances.get(0));
        } else if (iface.isPresent()) {
            report.notMapped(d, "which vrrp_instance should the sync daemon follow? write ipvs.sync-daemon { interface = "
                    + iface.get() + ", vrrp-instance = NAME }");
        }
    }
}
