package vipgate.vrrp.state;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings one {@link VrrpInstance} needs, already validated by the config binding; the checks here
 * only guard against programming errors.
 *
 * @param name the instance name, e.g. VI_1
 * @param version 2 or 3
 * @param priority the configured (base) priority, 1..255; 255 = address owner
 * @param advertIntervalCentis our advert interval; a whole number of seconds for v2
 * @param initialState {@link State#MASTER} or {@link State#BACKUP} (keepalived {@code state})
 * @param preempt false = keepalived {@code nopreempt}
 * @param preemptDelay keepalived {@code preempt_delay}; zero for none
 * @param localAddress the source address peers see on our adverts: breaks equal-priority ties
 * @param garpRepeat gratuitous ARPs per burst on becoming master (keepalived garp_master_repeat)
 * @param garpMasterDelay delay of the second burst (garp_master_delay); zero for none
 * @param garpMasterRefresh period of refresh bursts while master (garp_master_refresh); zero for none
 * @param garpRefreshRepeat gratuitous ARPs per refresh (garp_master_refresh_repeat)
 */
public record InstanceParams(String name, int version, int priority, int advertIntervalCentis, State initialState,
        boolean preempt, Duration preemptDelay, InetAddress localAddress, int garpRepeat, Duration garpMasterDelay,
        Duration garpMasterRefresh, int garpRefreshRepeat) {

    public InstanceParams {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(preemptDelay, "preemptDelay");
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(garpMasterDelay, "garpMasterDelay");
        Objects.requireNonNull(garpMasterRefresh, "garpMasterRefresh");
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("version must be 2 or 3, got " + version);
        }
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("priority must be 1..255, got " + priority);
        }
        if (advertIntervalCentis < 1 || (version == 3 && advertIntervalCentis > 4095)
                || (version == 2 && (advertIntervalCentis % 100 != 0 || advertIntervalCentis > 25_500))) {
            throw new IllegalArgumentException("advert interval " + advertIntervalCentis + "cs is invalid for v" + version);
        }
        if (initialState != State.MASTER && initialState != State.BACKUP) {
            throw new IllegalArgumentException("initial state must be MASTER or BACKUP, got " + initialState);
        }
        // keepalived: nopreempt and preempt_delay mean nothing unless this node would otherwise take over
        if ((!preempt || !preemptDelay.isZero()) && (initialState == State.MASTER || priority == 255)) {
            throw new IllegalArgumentException("nopreempt / preempt-delay need state BACKUP and priority below 255");
        }
        if (garpRepeat < 1 || garpRefreshRepeat < 1) {
            throw new IllegalArgumentException("garp repeats must be at least 1");
        }
    }
}
