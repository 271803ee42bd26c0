package vipgate.netlink.route;

import java.io.IOException;

/** A change reported by {@link RouteEvents}. */
public sealed interface RouteEvent {

    /** A link was created or changed (state, flags, name, mtu...); the values are the new ones. */
    record LinkChanged(int index, String name, boolean up, boolean running) implements RouteEvent {
    }

    /** A link disappeared (deleted, or moved to another namespace). */
    record LinkRemoved(int index, String name) implements RouteEvent {
    }

    record AddressAdded(IfAddress address) implements RouteEvent {
    }

    record AddressRemoved(IfAddress address) implements RouteEvent {
    }

    /**
     * The kernel dropped notifications because the reader fell behind (ENOBUFS): re-read the links and addresses
     * you track. Reading continues.
     */
    record EventsLost() implements RouteEvent {
    }

    /** Reading failed and stopped; no event follows. Not sent after {@link RouteEvents#close()}. */
    record Stopped(IOException cause) implements RouteEvent {
    }
}
