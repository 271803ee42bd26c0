package vipgate.appliance.cli;

import java.util.logging.Logger;

/** SIGHUP means "reload the configuration", as for nginx and keepalived. */
final class Signals {
    private static final Logger LOG = Logger.getLogger(Signals.class.getName());

    private Signals() {
    }

    @SuppressWarnings("restriction")
    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                LOG.info("SIGHUP: reloading the configuration");
                Thread reload = new Thread(action, "vipgate-reload");
                reload.start();
            });
        } catch (IllegalArgumentException e) {
            LOG.warning("SIGHUP cannot be handled on this JVM; reload with POST /reload on the admin API");
        }
    }
}
