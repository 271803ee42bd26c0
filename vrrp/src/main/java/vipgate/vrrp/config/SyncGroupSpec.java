package vipgate.vrrp.config;

import java.util.List;

/** A {@code vipgate.vrrp.sync-groups.NAME} block (keepalived vrrp_sync_group). */
public record SyncGroupSpec(String name, List<String> instances, NotifySpec notifyCommands, boolean smtpAlert) {

    public SyncGroupSpec {
        instances = List.copyOf(instances);
    }
}
