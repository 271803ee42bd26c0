package vipgate.vrrp.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncGroupTest {
    final Map<String, VrrpInstance> members = new LinkedHashMap<>();
    final SyncGroup group = new SyncGroup("G1", List.of("OUT", "IN"));

    SyncGroupTest() {
        for (String n : List.of("OUT", "IN")) {
            members.put(n, new VrrpInstance(new InstanceParams(n, 2, 100, 100, State.BACKUP, true, Duration.ZERO,
                    VrrpInstanceTest.A, 5, Duration.ZERO, Duration.ZERO, 1)));
        }
    }

    /** What the engine does: report each member after an input, apply directives until quiet. */
    void report(String member, long now) {
        Deque<String> todo = new ArrayDeque<>(List.of(member));
        while (!todo.isEmpty()) {
            String m = todo.poll();
            VrrpInstance i = members.get(m);
            for (SyncGroup.Directive d : group.memberChanged(m, i.state(), i.ownFault())) {
                members.get(d.member()).sync(d.command(), now);
                todo.add(d.member());
            }
        }
    }

    @Test
    void membersMoveTogether() {
        members.forEach((n, i) -> {
            i.start(0);
            report(n, 0);
        });
        assertThat(group.groupState()).contains(State.BACKUP);
        // OUT's down timer fires first: IN follows at once
        members.get("OUT").timerExpired(3_609_375_000L);
        report("OUT", 3_609_375_000L);
        assertThat(members.get("IN").state()).isEqualTo(State.MASTER);
        assertThat(group.groupState()).contains(State.MASTER);
        // IN hears a higher master: OUT steps down too
        members.get("IN").advertReceived(200, 100, VrrpInstanceTest.B, 4 * VrrpInstanceTest.S);
        report("IN", 4 * VrrpInstanceTest.S);
        assertThat(members.get("OUT").state()).isEqualTo(State.BACKUP);
    }

    @Test
    void aFaultyMemberHoldsTheWholeGroupInFaultUntilNoneIsFaulty() {
        members.forEach((n, i) -> {
            i.start(0);
            report(n, 0);
        });
        members.get("OUT").trackingChanged(100, true, 1);
        report("OUT", 1);
        assertThat(members.get("IN").state()).isEqualTo(State.FAULT);
        members.get("IN").trackingChanged(100, true, 2);
        report("IN", 2);
        members.get("OUT").trackingChanged(100, false, 3);
        report("OUT", 3);
        assertThat(members.values()).extracting(VrrpInstance::state).containsOnly(State.FAULT);
        members.get("IN").trackingChanged(100, false, 4);
        report("IN", 4);
        assertThat(members.values()).extracting(VrrpInstance::state).containsOnly(State.BACKUP);
        assertThat(group.groupState()).contains(State.BACKUP);
    }
}
