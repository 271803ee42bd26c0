package vipgate.ipvs.reconcile;

import java.util.ArrayList;
import java.util.List;
import vipgate.ipvs.config.RealServerSpec;
import vipgate.ipvs.config.VirtualServerSpec;
import vipgate.ipvs.netlink.Destination;

/**
 * keepalived's rules for which real servers of one virtual server are in the kernel table (check/ipwrapper.c):
 * live servers at their weight; failed ones removed, or kept at weight 0 with inhibit-on-failure; while the live
 * weight is below quorum (with hysteresis) the sorry server replaces them. Pure and not thread-safe: the engine
 * feeds it health verdicts in order and turns {@link #desired()} into kernel operations.
 */
public final class Pool {

    /** What a verdict changed, for notify commands and logs. */
    public record Event(Kind kind, String realServer) {
        public enum Kind { REAL_SERVER_UP, REAL_SERVER_DOWN, QUORUM_GAINED, QUORUM_LOST }
    }

    private final VirtualServerSpec spec;
    private final boolean[] alive;
    private boolean quorum = true;

    /**
     * Real servers start alive, or failed with alpha (keepalived); those without a check are always alive. The
     * quorum is then evaluated once, so an alpha pool with a sorry server starts on the sorry server.
     */
    public Pool(VirtualServerSpec spec) {
        this.spec = spec;
        this.alive = new boolean[spec.realServers().size()];
        for (int i = 0; i < alive.length; i++) {
            alive[i] = !spec.alpha() || !spec.realServers().get(i).check().enabled();
        }
    }

    /** Evaluates the quorum of the initial verdicts; call once before the first {@link #desired()}. */
    public List<Event> start() {
        List<Event> events = new ArrayList<>();
        updateQuorum(events);
        return events;
    }

    public VirtualServerSpec spec() {
        return spec;
    }

    /**
     * Records the health verdict of real server {@code index}.
     *
     * @return what changed: nothing when the verdict repeats the known state
     */
    public List<Event> setAlive(int index, boolean up) {
        List<Event> events = new ArrayList<>();
        if (alive[index] == up) {
            return events;
        }
        alive[index] = up;
        events.add(new Event(up ? Event.Kind.REAL_SERVER_UP : Event.Kind.REAL_SERVER_DOWN,
                spec.realServers().get(index).toString()));
        updateQuorum(events);
        return events;
    }

    public boolean isAlive(int index) {
        return alive[index];
    }

    public boolean hasQuorum() {
        return quorum;
    }

    /** The sum of the weights of live real servers, which quorum is measured against. */
    public long liveWeight() {
        long sum = 0;
        for (int i = 0; i < alive.length; i++) {
            if (alive[i]) {
                sum += spec.realServers().get(i).weight();
            }
        }
        return sum;
    }

    /**
     * keepalived's update_quorum_state: gained at quorum + hysteresis, lost below quorum - hysteresis or when
     * nothing is live at all.
     */
    private void updateQuorum(List<Event> events) {
        long weight = liveWeight();
        if (!quorum && weight >= (long) spec.quorum() + spec.hysteresis()) {
            quorum = true;
            events.add(new Event(Event.Kind.QUORUM_GAINED, spec.toString()));
        } else if (quorum && (weight == 0 || weight < (long) spec.quorum() - spec.hysteresis())) {
            quorum = false;
            events.add(new Event(Event.Kind.QUORUM_LOST, spec.toString()));
        }
    }

    /** The service and the real servers that should be in the kernel now. */
    public DesiredService desired() {
        List<Destination> destinations = new ArrayList<>();
        boolean sorryActive = !quorum && spec.sorryServer().isPresent();
        for (int i = 0; i < alive.length; i++) {
            RealServerSpec rs = spec.realServers().get(i);
            if (alive[i] && !sorryActive) {
                destinations.add(destination(rs, rs.weight()));
            } else if (spec.inhibitOnFailure()) {
                destinations.add(destination(rs, 0));
            }
        }
        spec.sorryServer().ifPresent(sorry -> {
            if (sorryActive || spec.sorryServerInhibit()) {
                // keepalived's sorry server has weight 1
                destinations.add(new Destination(sorry.address(), sorry.port(), spec.forwarding(), sorryActive ? 1 : 0, 0, 0,
                        spec.tunnel()));
            }
        });
        return new DesiredService(spec.service(), destinations);
    }

    private Destination destination(RealServerSpec rs, int weight) {
        return new Destination(rs.address(), rs.port(), spec.forwarding(), weight, rs.upperThreshold(), rs.lowerThreshold(),
                spec.tunnel());
    }
}
