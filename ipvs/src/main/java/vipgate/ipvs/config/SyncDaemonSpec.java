package vipgate.ipvs.config;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * keepalived's lvs_sync_daemon: the kernel's connection sync daemon on {@code interfaceName}, master or backup as
 * the VRRP instance {@code vrrpInstance} is.
 *
 * @param syncId empty: the VRRP instance's virtual-router-id (known once the vrrp configuration is bound)
 */
public record SyncDaemonSpec(String interfaceName, String vrrpInstance, OptionalInt syncId) {
    public SyncDaemonSpec {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(vrrpInstance, "vrrpInstance");
        Objects.requireNonNull(syncId, "syncId");
    }
}
