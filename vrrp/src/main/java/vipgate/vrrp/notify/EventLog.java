package vipgate.vrrp.notify;

import java.util.ArrayDeque;
import java.util.List;

/** The latest state changes, oldest first, for the admin API; bounded so a flapping instance cannot grow it. */
public final class EventLog {
    private final int capacity;
    private final ArrayDeque<NotifyEvent> events;
    private long dropped;

    public EventLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.events = new ArrayDeque<>(capacity);
    }

    public synchronized void add(NotifyEvent event) {
        if (events.size() == capacity) {
            events.removeFirst();
            dropped++;
        }
        events.addLast(event);
    }

    public synchronized List<NotifyEvent> snapshot() {
        return List.copyOf(events);
    }

    /** How many old events were pushed out. */
    public synchronized long dropped() {
        return dropped;
    }
}
