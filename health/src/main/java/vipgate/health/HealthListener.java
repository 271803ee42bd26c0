package vipgate.health;

/** Told when a {@link HealthMonitor} changes its verdict, and optionally of every probe. */
@FunctionalInterface
public interface HealthListener {

    /**
     * Runs on the monitor's scheduler thread, so it must not block; it must not throw either (a throw is
     * logged and the monitor carries on).
     *
     * @param healthy the new verdict
     * @param last the probe result that tipped it
     */
    void onChange(boolean healthy, CheckResult last);

    /** Every probe's result, before {@link #onChange} if it tipped the verdict; same threading rules. */
    default void onProbe(CheckResult result) {
    }
}
