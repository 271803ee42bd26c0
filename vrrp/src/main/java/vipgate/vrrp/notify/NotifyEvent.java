package vipgate.vrrp.notify;

import java.time.Instant;
import java.util.Objects;
import vipgate.vrrp.state.State;

/**
 * One state change as keepalived announces it.
 *
 * @param priority the effective priority; 0 for a group, which has none
 */
public record NotifyEvent(Scope scope, String name, Kind kind, int priority, Instant at) {

    public enum Scope { INSTANCE, GROUP }

    /** The state words of keepalived's notify arguments and FIFO lines. */
    public enum Kind { MASTER, BACKUP, FAULT, STOP }

    public NotifyEvent {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(at, "at");
    }

    /** The notify kind for a state entered; INIT is never announced. */
    public static Kind kindOf(State to) {
        return switch (to) {
            case MASTER -> Kind.MASTER;
            case BACKUP -> Kind.BACKUP;
            case FAULT -> Kind.FAULT;
            case STOPPED -> Kind.STOP;
            case INIT -> throw new IllegalArgumentException("INIT is not announced");
        };
    }

    /** keepalived's notify_fifo line, e.g. {@code INSTANCE "VI_1" MASTER 100}. */
    public String fifoLine() {
        return scope + " \"" + name + "\" " + kind + " " + priority;
    }
}
