package vipgate.appliance.importer.nginx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import vipgate.appliance.importer.Directive;
import vipgate.appliance.importer.Hocon;
import vipgate.lb.tls.TlsProvider;

/**
 * nginx's TLS directives as vipgate's tls blocks: a server's ssl_* ({@code listen ... ssl}) and an upstream's
 * proxy_ssl_* ({@code proxy_pass https://}). What has no counterpart is reported through {@link Findings}.
 */
final class NginxTls {
    /** Where unmapped directives and differences go (NginxImport's report, each said once). */
    interface Findings {
        void notMapped(Directive d, String why);

        void changed(Directive d, String how);
    }

    /** The ssl_* directives a TLS server's tls block is made of; inherited from http by the servers. */
    static final Set<String> SERVER = Set.of("ssl_certificate", "ssl_certificate_key", "ssl_password_file", "ssl_protocols",
            "ssl_ciphers", "ssl_prefer_server_ciphers", "ssl_session_cache", "ssl_session_timeout", "ssl_session_tickets");
    /** The proxy_ssl_* directives an upstream's tls block is made of; per location in nginx, per upstream in vipgate. */
    static final List<String> UPSTREAM = List.of("proxy_ssl_verify", "proxy_ssl_trusted_certificate", "proxy_ssl_name",
            "proxy_ssl_server_name", "proxy_ssl_certificate", "proxy_ssl_certificate_key", "proxy_ssl_password_file",
            "proxy_ssl_protocols", "proxy_ssl_ciphers", "proxy_ssl_session_reuse", "proxy_ssl_verify_depth");
    /** nginx's ssl_ciphers leave TLS 1.3's suites alone; vipgate's list names them, so they stay offered. */
    private static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    /** nginx: "one megabyte of the cache contains about 4000 sessions". */
    private static final long SESSIONS_PER_MEGABYTE = 4000;

    private final Findings findings;

    NginxTls(Findings findings) {
        this.findings = findings;
    }

    /**
     * The tls block of a server with {@code listen ... ssl}; {@code find} gives a directive in force there (the
     * server's, else the http block's), {@code inherited} an array directive. Empty (reported) when nginx itself
     * could not serve it.
     */
    Optional<Hocon.Obj> server(Directive server, Function<String, Optional<Directive>> find,
            Function<String, List<Directive>> inherited) {
        List<Directive> certs = inherited.apply("ssl_certificate");
        List<Directive> keys = inherited.apply("ssl_certificate_key");
        if (certs.isEmpty()) {
            findings.notMapped(server, "listen ... ssl without ssl_certificate (nginx refuses it too: \"no ssl_certificate is"
                    + " defined\"); its TLS listens are left out");
            return Optional.empty();
        }
        Optional<Directive> password = find.apply("ssl_password_file");
        List<Hocon.Obj> entries = new ArrayList<>();
        for (int i = 0; i < certs.size(); i++) {
            Directive c = certs.get(i);
            Directive k = i < keys.size() ? keys.get(i) : null;
            String cert = c.arg().orElse("");
            if (cert.contains("$") || cert.startsWith("data:") || (k != null && k.arg().orElse("").matches(".*[$].*|(data|engine):.*"))) {
                findings.notMapped(c, "vipgate reads certificates and keys from files named in the configuration, not by"
                        + " variables, data: or engine:; left out");
                continue;
            }
            if (k == null) {
                findings.notMapped(c, "no ssl_certificate_key for this certificate (nginx refuses it too); left out");
                continue;
            }
            if (!readable(c) || !readable(k) || (password.isPresent() && !readable(password.get()))) {
                continue;
            }
            Hocon.Obj e = new Hocon.Obj().put("certificate", cert).put("key", k.arg().orElse(""));
            password.ifPresent(p -> e.put("password-file", p.arg().orElse("")));
            entries.add(e);
        }
        if (entries.isEmpty()) {
            findings.notMapped(server, "no certificate vipgate can read; its TLS listens are left out");
            return Optional.empty();
        }
        Hocon.Obj tls = new Hocon.Obj().put("certificates", entries);
        List<String> wider = new ArrayList<>();
        find.apply("ssl_protocols").ifPresentOrElse(p -> protocols(p).ifPresent(l -> tls.put("protocols", l)),
                () -> wider.add("ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"));
        find.apply("ssl_ciphers").ifPresentOrElse(c -> ciphers(c).ifPresent(l -> tls.put("ciphers", l)),
                () -> wider.add("ssl_ciphers HIGH:!aNULL:!MD5 (CBC and non-forward-secret suites too)"));
        find.apply("ssl_prefer_server_ciphers").ifPresent(p -> onOff(p).ifPresent(on -> tls.put("prefer-server-ciphers", on)));
        find.apply("ssl_session_tickets").ifPresent(p -> onOff(p).ifPresent(on -> tls.put("session-tickets", on)));
        find.apply("ssl_session_cache").ifPresentOrElse(c -> sessionCache(c).ifPresent(n -> tls.put("session-cache", n)),
                () -> findings.changed(server, "nginx keeps no TLS session cache by default (ssl_session_cache none; tickets"
                        + " only); vipgate keeps one of 20480 sessions per server (session-cache = 0 for nginx's way)"));
        find.apply("ssl_session_timeout").ifPresent(t -> NginxValues.time(t.arg().orElse("")).filter(d -> !d.isZero())
                .ifPresentOrElse(d -> tls.put("session-timeout", NginxValues.duration(d)), () -> findings.notMapped(t, "not a time")));
        if (!wider.isEmpty()) {
            findings.changed(server, "nginx's TLS defaults (" + String.join(", ", wider) + ") are wider than vipgate's: TLS 1.2"
                    + " and 1.3 with forward-secret AEAD suites only");
        }
        return Optional.of(tls);
    }

    /**
     * The tls block of an upstream reached by {@code proxy_pass https://}, from the proxy_ssl_* in force at the
     * location that first uses it ({@code settings}); {@code named} is whether the upstream is an upstream block
     * (nginx's $proxy_host is then its name), {@code at} where to report what concerns the whole block.
     */
    Hocon.Obj upstream(String name, boolean named, Directive at, Map<String, Directive> settings) {
        Hocon.Obj tls = new Hocon.Obj();
        Directive verify = settings.get("proxy_ssl_verify");
        boolean verifies = verify != null && onOff(verify).orElse(false);
        Directive trusted = settings.get("proxy_ssl_trusted_certificate");
        if (!verifies) {
            tls.comment("nginx's proxy_ssl_verify off" + (verify == null ? " (its default)" : "") + ": the servers'"
                    + " certificates are not checked; give ca and remove this line to check them").put("verify", false);
            findings.changed(verify != null ? verify : at, "upstream '" + name + "': nginx does not verify the servers'"
                    + " certificates here; imported as verify = false, as nginx (vipgate's default is to verify)");
            if (trusted != null) {
                findings.notMapped(trusted, "unused by nginx without proxy_ssl_verify on; left out");
            }
        } else if (trusted != null && readable(trusted)) {
            tls.put("ca", trusted.arg().orElse(""));
        } else if (trusted != null) {
            findings.changed(trusted, "without it vipgate checks against the JVM's trusted CAs");
        } else {
            findings.changed(verify, "no proxy_ssl_trusted_certificate (nginx refuses that): vipgate checks against the"
                    + " JVM's trusted CAs");
        }
        Directive sni = settings.get("proxy_ssl_server_name");
        boolean sends = sni != null && onOff(sni).orElse(false);
        Directive sslName = settings.get("proxy_ssl_name");
        // nginx checks and sends proxy_ssl_name, by default $proxy_host: the upstream's name, or the address written
        String serverName = "";
        if (sslName != null && !sslName.arg().orElse("").equals("$proxy_host")) {
            String n = sslName.arg().orElse("");
            if (n.contains("$")) {
                findings.notMapped(sslName, "vipgate sends one fixed name per upstream (server-name), or each server's own"
                        + " host; not a name made of variables");
            } else {
                serverName = n.contains(":") && !n.startsWith("[") ? n.substring(0, n.indexOf(':')) : n;
            }
        } else if (named) {
            serverName = name;
        }
        if (!serverName.isEmpty() && (verifies || sends)) {
            tls.put("server-name", serverName);
            if (!sends) {
                findings.changed(sslName != null ? sslName : at, "upstream '" + name + "': vipgate sends server-name in SNI"
                        + " (nginx's proxy_ssl_server_name off sends none)");
            }
        }
        Directive cert = settings.get("proxy_ssl_certificate");
        Directive key = settings.get("proxy_ssl_certificate_key");
        Directive password = settings.get("proxy_ssl_password_file");
        if (cert != null && key != null && readable(cert) && readable(key) && (password == null || readable(password))) {
            tls.put("certificate", cert.arg().orElse("")).put("key", key.arg().orElse(""));
            if (password != null) {
                tls.put("password-file", password.arg().orElse(""));
            }
        } else if (cert != null || key != null) {
            findings.notMapped(cert != null ? cert : key, "a client certificate needs both proxy_ssl_certificate and"
                    + " proxy_ssl_certificate_key; left out");
        }
        Directive protocols = settings.get("proxy_ssl_protocols");
        if (protocols != null) {
            protocols(protocols).ifPresent(l -> tls.put("protocols", l));
        }
        Directive ciphers = settings.get("proxy_ssl_ciphers");
        if (ciphers != null) {
            ciphers(ciphers).ifPresent(l -> tls.put("ciphers", l));
        }
        Directive reuse = settings.get("proxy_ssl_session_reuse");
        if (reuse != null && !onOff(reuse).orElse(true)) {
            findings.notMapped(reuse, "vipgate always resumes TLS sessions with its servers");
        }
        Directive depth = settings.get("proxy_ssl_verify_depth");
        if (depth != null) {
            findings.notMapped(depth, "vipgate checks the whole chain up to a CA of ca, at any depth");
        }
        return tls;
    }

    /** TLSv1.2 and TLSv1.3 of an ssl_protocols; older ones are said to be left out. */
    private Optional<List<String>> protocols(Directive d) {
        List<String> kept = d.args().stream().filter(p -> p.equals("TLSv1.2") || p.equals("TLSv1.3")).toList();
        List<String> dropped = d.args().stream().filter(p -> !kept.contains(p)).toList();
        if (!dropped.isEmpty()) {
            findings.changed(d, String.join(" ", dropped) + " left out: vipgate offers TLS 1.2 and 1.3 only (older versions"
                    + " are broken, RFC 8996)");
        }
        if (kept.isEmpty()) {
            findings.notMapped(d, "no protocol vipgate offers; its default (TLSv1.2 TLSv1.3) applies");
            return Optional.empty();
        }
        return Optional.of(kept);
    }

    /**
     * The suites of an ssl_ciphers that names them ("ECDHE-RSA-AES128-GCM-SHA256:..."), those vipgate's TLS library
     * has, after TLS 1.3's; empty (reported, vipgate's defaults apply) for an OpenSSL expression ("HIGH:!aNULL").
     */
    private Optional<List<String>> ciphers(Directive d) {
        String spec = d.arg().orElse("");
        List<String> kept = new ArrayList<>(TLS13);
        List<String> dropped = new ArrayList<>();
        Set<String> supported = TlsProvider.supportedCipherSuites();
        for (String part : spec.split("[:, ]+")) {
            String iana = TlsProvider.ianaName(part);
            if (!iana.startsWith("TLS_")) {
                findings.notMapped(d, "'" + spec + "' is an OpenSSL cipher expression ('" + part + "'); vipgate takes suite"
                        + " names, so its default suites (forward-secret AEAD only) apply");
                return Optional.empty();
            }
            if (supported.contains(iana) && !kept.contains(iana)) {
                kept.add(iana);
            } else if (!supported.contains(iana)) {
                dropped.add(part);
            }
        }
        if (!dropped.isEmpty()) {
            findings.changed(d, String.join(":", dropped) + " left out: not offered by " + TlsProvider.name());
        }
        if (kept.stream().noneMatch(c -> c.contains("_WITH_"))) {
            findings.notMapped(d, "no TLS 1.2 suite vipgate offers is named; its default suites apply");
            return Optional.empty();
        }
        return Optional.of(kept);
    }

    /** Sessions an ssl_session_cache keeps: builtin:N counts N, shared:NAME:SIZE about 4000 a megabyte; off/none 0. */
    private Optional<Long> sessionCache(Directive d) {
        long sessions = 0;
        for (String a : d.args()) {
            if (a.equals("off") || a.equals("none")) {
                continue;
            }
            String[] p = a.split(":");
            if (p[0].equals("builtin")) {
                sessions += p.length > 1 ? NginxValues.count(p[1]).orElse(0) : 20480;
            } else if (p[0].equals("shared") && p.length == 3 && NginxValues.size(p[2]).isPresent()) {
                sessions += NginxValues.size(p[2]).get() * SESSIONS_PER_MEGABYTE / (1 << 20);
            } else {
                findings.notMapped(d, "'" + a + "' is not a session cache; vipgate's default applies");
                return Optional.empty();
            }
        }
        return Optional.of(Math.min(sessions, 10_000_000));
    }

    /**
     * Whether the file {@code d} names can be read here: vipgate checks certificates and keys when it loads its
     * configuration (as it checks this import), so they must be on this machine at the same path, as the error pages.
     */
    private boolean readable(Directive d) {
        String file = d.arg().orElse("");
        if (!Path.of(file).isAbsolute()) {
            findings.notMapped(d, "nginx reads " + file + " relative to its prefix (e.g. /etc/nginx/); write the absolute"
                    + " path and import again; left out");
            return false;
        }
        if (Files.isReadable(Path.of(file))) {
            return true;
        }
        findings.notMapped(d, "cannot read " + file + " here: copy it to this machine at the same path and import again;"
                + " left out");
        return false;
    }

    private Optional<Boolean> onOff(Directive d) {
        String v = d.arg().orElse("");
        if (v.equals("on") || v.equals("off")) {
            return Optional.of(v.equals("on"));
        }
        findings.notMapped(d, "write on or off");
        return Optional.empty();
    }
}
