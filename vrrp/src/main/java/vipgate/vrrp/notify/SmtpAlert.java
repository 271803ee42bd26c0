package vipgate.vrrp.notify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import vipgate.vrrp.config.SmtpSpec;

/**
 * keepalived's e-mail alert: a minimal SMTP client (HELO, MAIL FROM, RCPT TO, DATA, QUIT; no TLS, no auth,
 * as keepalived) sending e.g. {@code [LVS_DEVEL] VRRP Instance VI_1 - Entering MASTER state}. Blocking: call
 * it on the notify worker, never the state machine's thread.
 */
public final class SmtpAlert {
    private final SmtpSpec spec;
    private final String routerId;

    public SmtpAlert(SmtpSpec spec) {
        if (!spec.enabled() || spec.to().isEmpty() || spec.from().isEmpty()) {
            throw new IllegalArgumentException("SMTP alerts need a server, a from address and at least one recipient");
        }
        this.spec = spec;
        this.routerId = spec.routerId().isEmpty() ? localHostName() : spec.routerId();
    }

    /** keepalived's subject line for a state change. */
    public String subject(NotifyEvent event) {
        String what = event.scope() == NotifyEvent.Scope.INSTANCE ? "VRRP Instance" : "VRRP Group";
        String state = switch (event.kind()) {
            case MASTER -> "Entering MASTER state";
            case BACKUP -> "Entering BACKUP state";
            case FAULT -> "Entering FAULT state";
            case STOP -> "Stopping";
        };
        return "[" + routerId + "] " + what + " " + event.name() + " - " + state;
    }

    /** keepalived's one-line bodies. */
    static String body(NotifyEvent event) {
        return switch (event.kind()) {
            case MASTER -> "=> VRRP Instance is now owning VRRP VIPs <=";
            case BACKUP -> "=> VRRP Instance is no longer owning VRRP VIPs <=";
            case FAULT -> "=> VRRP Instance is in FAULT state <=";
            case STOP -> "=> VRRP Instance is stopping <=";
        };
    }

    /** Sends the alert; throws with the server's reply when the server refuses a step. */
    public void send(NotifyEvent event) throws IOException {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(spec.server(), spec.port()), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in, 220, "greeting");
            command(out, in, "HELO " + localHostName(), 250);
            command(out, in, "MAIL FROM:<" + spec.from() + ">", 250);
            for (String to : spec.to()) {
                command(out, in, "RCPT TO:<" + to + ">", 250);
            }
            command(out, in, "DATA", 354);
            StringBuilder msg = new StringBuilder()
                    .append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())).append("\r\n")
                    .append("From: ").append(spec.from()).append("\r\n")
                    .append("Subject: ").append(subject(event)).append("\r\n")
                    .append("X-Mailer: vipgate\r\n");
            for (String to : spec.to()) {
                msg.append("To: ").append(to).append("\r\n");
            }
            msg.append("\r\n").append(body(event)).append("\r\n");
            // dot-stuffing (RFC 5321 4.5.2) is not needed: no line of ours starts with a dot
            command(out, in, msg + ".", 250);
            command(out, in, "QUIT", 221);
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, int expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        expect(in, expected, line.lines().findFirst().orElse(line));
    }

    /** Reads a reply, multi-line ones ("250-...") included, and checks its code. */
    private static void expect(BufferedReader in, int code, String after) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("SMTP server closed the connection after " + after);
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
        if (!line.startsWith(Integer.toString(code))) {
            throw new IOException("SMTP server answered '" + line + "' to " + after + ", expected " + code);
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
