package vipgate.netlink.route;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import vipgate.netlink.NetlinkSocket;
import vipgate.netlink.libc.Errno;
import vipgate.netlink.libc.NativeException;
import vipgate.netlink.message.NetlinkMessage;

/**
 * Link and address notifications (rtnetlink groups RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR) read on a
 * dedicated daemon thread and handed to a listener, in kernel order, on that thread.
 *
 * <pre>{@code
 * try (RouteEvents events = RouteEvents.start(event -> queue.add(event))) { ... }
 * }</pre>
 *
 * The listener should be quick (hand the event over to its own thread): while it runs, notifications queue in
 * the socket and may overflow ({@link RouteEvent.EventsLost}). A RuntimeException from the listener goes to the
 * thread's uncaught-exception handler and reading continues.
 */
public final class RouteEvents implements AutoCloseable {
    static final int RTMGRP_LINK = 0x1;
    static final int RTMGRP_IPV4_IFADDR = 0x10;
    static final int RTMGRP_IPV6_IFADDR = 0x100;

    /** Receives events on the reader thread. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(RouteEvent event);
    }

    private final NetlinkSocket socket;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean closed;

    private RouteEvents(NetlinkSocket socket, Listener listener) {
        this.socket = socket;
        this.listener = listener;
        this.thread = new Thread(this::run, "vipgate-route-events");
        thread.setDaemon(true);
    }

    /**
     * Subscribes (in the network namespace of the calling thread) and starts the reader thread. Events that happen
     * after this returns are delivered; read the current state with {@link RouteNetlink} after starting, not
     * before, so nothing falls in between.
     */
    public static RouteEvents start(Listener listener) throws IOException {
        NetlinkSocket socket = NetlinkSocket.subscribe(NetlinkSocket.NETLINK_ROUTE,
                RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR);
        RouteEvents events = new RouteEvents(socket, listener);
        events.thread.start();
        return events;
    }

    private void run() {
        while (!closed) {
            List<NetlinkMessage> messages;
            try {
                messages = socket.receive(-1);
            } catch (ClosedChannelException e) {
                return; // close() woke us (AsynchronousCloseException is a ClosedChannelException)
            } catch (NativeException e) {
                if (e.errno() == Errno.ENOBUFS) {
                    deliver(new RouteEvent.EventsLost());
                    continue;
                }
                stop(e);
                return;
            } catch (IOException | RuntimeException e) {
                stop(e instanceof IOException io ? io : new IOException("malformed rtnetlink notification", e));
                return;
            }
            for (NetlinkMessage message : messages) {
                RouteEvent event = toEvent(message);
                if (event != null) {
                    deliver(event);
                }
            }
        }
    }

    /** The event for one notification, or null for message types this class does not report. */
    static RouteEvent toEvent(NetlinkMessage message) {
        switch (message.type()) {
            case RouteNetlink.RTM_NEWLINK: {
                Link link = Link.parse(message);
                return new RouteEvent.LinkChanged(link.index(), link.name(), link.up(), link.running());
            }
            case RouteNetlink.RTM_DELLINK: {
                Link link = Link.parse(message);
                return new RouteEvent.LinkRemoved(link.index(), link.name());
            }
            case RouteNetlink.RTM_NEWADDR:
                return IfAddress.parse(message).map(RouteEvent.AddressAdded::new).orElse(null);
            case RouteNetlink.RTM_DELADDR:
                return IfAddress.parse(message).map(RouteEvent.AddressRemoved::new).orElse(null);
            default:
                return null;
        }
    }

    private void stop(IOException cause) {
        if (!closed) {
            deliver(new RouteEvent.Stopped(cause));
        }
    }

    private void deliver(RouteEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            Thread current = Thread.currentThread();
            current.getUncaughtExceptionHandler().uncaughtException(current, e);
        }
    }

    /** Stops the reader thread and waits for it (unless called from the listener itself). Idempotent. */
    @Override
    public void close() {
        closed = true;
        socket.close();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
