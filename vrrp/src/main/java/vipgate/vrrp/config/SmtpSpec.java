package vipgate.vrrp.config;

import java.time.Duration;
import java.util.List;

/**
 * Where e-mail alerts go (keepalived global_defs smtp_server, notification_email_from,
 * notification_email, smtp_connect_timeout, router_id).
 *
 * @param server host name or address; empty when alerts are off
 * @param routerId the {@code [router_id]} of the subject; the host name when empty
 */
public record SmtpSpec(String server, int port, String from, List<String> to, Duration connectTimeout, String routerId) {

    public SmtpSpec {
        to = List.copyOf(to);
    }

    public boolean enabled() {
        return !server.isEmpty();
    }
}
