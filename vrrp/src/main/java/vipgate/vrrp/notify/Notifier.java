package vipgate.vrrp.notify;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import vipgate.vrrp.config.NotifySpec;

/**
 * Fans one state change out to every consumer: the in-memory log (synchronously, so the admin API is never
 * behind), the FIFO, the notify commands and the e-mail alert. Returns at once; nothing here can block the
 * state machine.
 */
public final class Notifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Notifier.class.getName());
    private static final int MAIL_QUEUE = 64;

    private final EventLog log;
    private final Optional<NotifyFifo> fifo;
    private final NotifyScripts scripts;
    private final Optional<SmtpAlert> smtp;
    private final ThreadPoolExecutor mailer;

    public Notifier(EventLog log, Optional<NotifyFifo> fifo, NotifyScripts scripts, Optional<SmtpAlert> smtp) {
        this.log = Objects.requireNonNull(log, "log");
        this.fifo = Objects.requireNonNull(fifo, "fifo");
        this.scripts = Objects.requireNonNull(scripts, "scripts");
        this.smtp = Objects.requireNonNull(smtp, "smtp");
        // A dead mail server (30 s connect timeouts) must not hold up the notify commands, so mail has its own thread.
        this.mailer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAIL_QUEUE), r -> {
            Thread t = new Thread(r, "vrrp-smtp-alert");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param commands the instance's or group's notify commands
     * @param smtpAlert whether this instance or group asked for e-mail ({@code smtp-alert = true})
     */
    public void publish(NotifyEvent event, NotifySpec commands, boolean smtpAlert) {
        log.add(event);
        fifo.ifPresent(f -> f.publish(event));
        scripts.run(event, commands);
        if (smtpAlert && smtp.isPresent()) {
            SmtpAlert alert = smtp.get();
            try {
                mailer.execute(() -> {
                    try {
                        alert.send(event);
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, "e-mail alert '" + alert.subject(event) + "' not sent: " + e.getMessage());
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.log(Level.WARNING, "e-mail queue full, alert '" + alert.subject(event) + "' dropped");
            }
        }
    }

    public EventLog log() {
        return log;
    }

    @Override
    public void close() {
        scripts.close();
        fifo.ifPresent(NotifyFifo::close);
        mailer.shutdownNow();
    }
}
