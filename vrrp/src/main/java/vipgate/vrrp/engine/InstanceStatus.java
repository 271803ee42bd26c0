package vipgate.vrrp.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import vipgate.vrrp.state.State;
import vipgate.vrrp.wire.DropReason;

/**
 * Everything an operator asks about one VRRP instance: who is master, at which priority, and whether adverts
 * arrive and are accepted (drops by reason tell a wrong password or VIP list from a blocked network).
 *
 * @param transitions how often the instance entered each state since start
 * @param vipsRestored VIPs put back after someone else removed them while this instance was master
 */
public record InstanceStatus(String name, String iface, int vrid, State state, int configuredPriority, int effectivePriority,
        Optional<String> master, List<String> vips, long advertsReceived, long advertsSent, Map<DropReason, Long> dropped,
        Map<State, Long> transitions, long vipsRestored) {
}
