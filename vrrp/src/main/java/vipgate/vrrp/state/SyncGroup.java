package vipgate.vrrp.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * keepalived's {@code vrrp_sync_group}: its instances move together (e.g. the outside VIP and the inside
 * gateway of a router pair). One member becoming MASTER pulls the backups to MASTER; one leaving MASTER
 * for BACKUP pushes the other masters to BACKUP; one member in FAULT of its own forces all others to
 * FAULT until no member has a fault of its own, when they all return to BACKUP and re-elect.
 *
 * <p>Pure and not thread-safe, like {@link VrrpInstance}. The engine reports each member after every input
 * that may have changed its state or its own fault (a tracking change may do the latter without a
 * transition) and feeds the directives to the named instances with {@link VrrpInstance#sync}; the
 * members' resulting transitions are reported again, which converges because a directive is only issued to
 * a member not already where it is told to go.
 */
public final class SyncGroup {

    /** What a member is told to do. */
    public enum Command { BECOME_MASTER, BECOME_BACKUP, ENTER_FAULT, LEAVE_FAULT }

    public record Directive(String member, Command command) {
    }

    private final String name;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final Map<String, Boolean> ownFaults = new LinkedHashMap<>();
    /** Members put in FAULT by the group, to be released together. */
    private final Set<String> forced = new LinkedHashSet<>();

    public SyncGroup(String name, List<String> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("sync group " + name + " needs members");
        }
        this.name = name;
        for (String m : members) {
            states.put(m, State.INIT);
            ownFaults.put(m, false);
        }
    }

    public String name() {
        return name;
    }

    /** @param ownFault {@link VrrpInstance#ownFault()} of the member */
    public List<Directive> memberChanged(String member, State state, boolean ownFault) {
        if (!states.containsKey(member)) {
            throw new IllegalArgumentException(member + " is not a member of sync group " + name);
        }
        states.put(member, state);
        ownFaults.put(member, ownFault);
        List<Directive> out = new ArrayList<>();
        if (ownFaults.containsValue(true)) {
            for (String m : states.keySet()) {
                if (!ownFaults.get(m) && forced.add(m)) {
                    out.add(new Directive(m, Command.ENTER_FAULT));
                }
            }
            return out;
        }
        if (!forced.isEmpty()) {
            forced.forEach(m -> out.add(new Directive(m, Command.LEAVE_FAULT)));
            forced.clear();
            return out;
        }
        State pulled = state == State.MASTER ? State.BACKUP : state == State.BACKUP ? State.MASTER : null;
        if (pulled != null) {
            Command command = state == State.MASTER ? Command.BECOME_MASTER : Command.BECOME_BACKUP;
            states.forEach((m, s) -> {
                if (!m.equals(member) && s == pulled) {
                    out.add(new Directive(m, command));
                }
            });
        }
        return out;
    }

    /** The state all members share, for GROUP notifications; empty while they disagree (mid-transition). */
    public Optional<State> groupState() {
        Set<State> distinct = new LinkedHashSet<>(states.values());
        return distinct.size() == 1 ? Optional.of(distinct.iterator().next()) : Optional.empty();
    }
}
