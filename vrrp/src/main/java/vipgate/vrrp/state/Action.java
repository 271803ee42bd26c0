package vipgate.vrrp.state;

import java.net.InetAddress;
import java.util.Objects;

/** What the engine must do, in list order, after one input to a {@link VrrpInstance}. */
public sealed interface Action {

    /** Send one advert (to the group, or to each unicast peer) carrying this priority; 0 means "I am leaving". */
    record SendAdvert(int priority) implements Action {
    }

    /** Add the virtual addresses to their interfaces. */
    record AddVips() implements Action {
    }

    /** Put back virtual addresses that someone else removed while we are master; count and log each one re-added. */
    record RestoreVips() implements Action {
    }

    /** Remove the virtual addresses. */
    record RemoveVips() implements Action {
    }

    /**
     * Send {@code count} gratuitous ARPs per IPv4 VIP (ARP request, broadcast, sender = target = VIP) and
     * unsolicited NAs per IPv6 VIP (to ff02::1, Override flag), paced by the configured garp interval.
     */
    record SendGarp(int count) implements Action {
    }

    /**
     * Until {@link EndRelay}: TCP segments for our VIPs that belong to no connection here are passed on, at layer 2,
     * to {@code to}, the master handing over to us, which still holds the VIPs for its grace: connections it accepted
     * just before clients moved here finish there instead of being reset by us.
     */
    record RelayStrays(InetAddress to) implements Action {
        public RelayStrays {
            Objects.requireNonNull(to, "to");
        }
    }

    /** Stop what {@link RelayStrays} started. */
    record EndRelay() implements Action {
    }

    /** The state changed; for notify scripts, the FIFO, the event log and SMTP alerts. */
    record Transition(State from, State to, int priority) implements Action {
        public Transition {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }
}
