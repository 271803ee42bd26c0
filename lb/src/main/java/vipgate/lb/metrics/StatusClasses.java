package vipgate.lb.metrics;

import java.util.concurrent.atomic.LongAdder;

/** Responses counted by status class, the way dashboards read them: 1xx, 2xx, 3xx, 4xx, 5xx. */
public final class StatusClasses {
    private final LongAdder[] byClass = new LongAdder[5];

    StatusClasses() {
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = new LongAdder();
        }
    }

    public void count(int status) {
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            byClass[c - 1].increment();
        }
    }

    /** Responses of the class {@code 1..5}. */
    public long get(int statusClass) {
        return byClass[statusClass - 1].sum();
    }
}
