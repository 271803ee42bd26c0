package vipgate.lb.proxy;

import java.util.Arrays;
import vipgate.lb.http.RequestVariables;

/**
 * The servers one request tried, in order, with what each answered and how long it took: the values of nginx's
 * {@code $upstream_addr}, {@code $upstream_status}, {@code $upstream_connect_time}, {@code $upstream_header_time}
 * and {@code $upstream_response_time}, which list one entry per try separated by ", ".
 */
final class UpstreamTrail {
    private static final long NONE = -1;

    private String[] addresses = new String[1];
    private int[] statuses = new int[1];
    private long[] startNanos = new long[1];
    private long[] connectNanos = new long[1];
    private long[] headerNanos = new long[1];
    private long[] endNanos = new long[1];
    private int size;

    /** A try on {@code address} starts (taking a pooled connection or connecting). */
    void begin(String address, long now) {
        if (size == addresses.length) {
            int n = size * 2;
            addresses = Arrays.copyOf(addresses, n);
            statuses = Arrays.copyOf(statuses, n);
            startNanos = Arrays.copyOf(startNanos, n);
            connectNanos = Arrays.copyOf(connectNanos, n);
            headerNanos = Arrays.copyOf(headerNanos, n);
            endNanos = Arrays.copyOf(endNanos, n);
        }
        addresses[size] = address;
        statuses[size] = 0;
        startNanos[size] = now;
        connectNanos[size] = NONE;
        headerNanos[size] = NONE;
        endNanos[size] = NONE;
        size++;
    }

    /** The try has a connection: a new one just connected, or a reused one (connect time 0, as nginx logs). */
    void connected(long now) {
        connectNanos[size - 1] = now - startNanos[size - 1];
    }

    void headerReceived(int status, long now) {
        statuses[size - 1] = status;
        headerNanos[size - 1] = now - startNanos[size - 1];
    }

    /** The try ended; {@code status} is what nginx logs when the server gave none (502, 504) or 0 to keep its own. */
    void ended(int status, long now) {
        if (size == 0 || endNanos[size - 1] != NONE) {
            return;
        }
        if (statuses[size - 1] == 0) {
            statuses[size - 1] = status;
        }
        endNanos[size - 1] = now - startNanos[size - 1];
    }

    boolean isEmpty() {
        return size == 0;
    }

    String addresses() {
        if (size == 1) {
            return addresses[0];
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ").append(addresses[i]);
        }
        return b.toString();
    }

    String statuses() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ");
            if (statuses[i] == 0) {
                b.append('-');
            } else {
                b.append(statuses[i]);
            }
        }
        return b.toString();
    }

    String connectTimes() {
        return times(connectNanos);
    }

    String headerTimes() {
        return times(headerNanos);
    }

    String responseTimes() {
        return times(endNanos);
    }

    private String times(long[] nanos) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size; i++) {
            b.append(i == 0 ? "" : ", ");
            if (nanos[i] < 0) {
                b.append('-');
            } else {
                RequestVariables.appendSeconds(b, nanos[i] / 1_000_000);
            }
        }
        return b.toString();
    }
}
