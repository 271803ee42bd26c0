package vipgate.ipvs.engine;

import java.util.Optional;
import java.util.OptionalInt;
import vipgate.ipvs.netlink.Daemon;

/**
 * What the sync daemon needs to know of VRRP, so this module does not depend on the vrrp engine: the appliance
 * answers from its VrrpEngine.
 */
public interface VrrpView {
    /** MASTER or BACKUP for the instance's current state; empty while it is neither (init, fault) or unknown. */
    Optional<Daemon.State> role(String instance);

    /** The instance's virtual-router-id, keepalived's default sync id; empty for an unknown instance. */
    OptionalInt virtualRouterId(String instance);

    /**
     * Calls {@code listener} after every VRRP state change, on the VRRP engine's thread (it must not block), so
     * the sync daemon switches with the VIP instead of at its next look. No VRRP: never.
     */
    default void onChange(Runnable listener) {
    }

    /** No VRRP on this box: a configured sync daemon never starts. */
    VrrpView NONE = new VrrpView() {
        @Override
        public Optional<Daemon.State> role(String instance) {
            return Optional.empty();
        }

        @Override
        public OptionalInt virtualRouterId(String instance) {
            return OptionalInt.empty();
        }
    };
}
