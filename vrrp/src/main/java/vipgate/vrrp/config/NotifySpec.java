package vipgate.vrrp.config;

import java.util.List;

/**
 * Notify commands of an instance or sync group (keepalived notify_master, notify_backup, notify_fault,
 * notify_stop and notify). Each is a command and its arguments, run without a shell; empty for none.
 *
 * @param any keepalived's generic {@code notify}: gets {@code INSTANCE|GROUP name MASTER|BACKUP|FAULT|STOP prio} appended
 */
public record NotifySpec(List<String> master, List<String> backup, List<String> fault, List<String> stop, List<String> any) {

    public static final NotifySpec NONE = new NotifySpec(List.of(), List.of(), List.of(), List.of(), List.of());

    public NotifySpec {
        master = List.copyOf(master);
        backup = List.copyOf(backup);
        fault = List.copyOf(fault);
        stop = List.copyOf(stop);
        any = List.copyOf(any);
    }
}
