package vipgate.vrrp.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import vipgate.vrrp.state.InstanceParams;
import vipgate.vrrp.state.State;
import vipgate.vrrp.track.TrackedObject;
import vipgate.vrrp.wire.AuthType;
import vipgate.vrrp.wire.ChecksumMode;
import vipgate.vrrp.wire.Expectation;
import vipgate.vrrp.wire.VrrpPacket;

/**
 * One {@code vipgate.vrrp.instances.NAME} block (keepalived vrrp_instance), validated.
 *
 * @param advertIntervalCentis our advert interval in centiseconds (v2: a multiple of 100)
 * @param initialState {@link State#MASTER} or {@link State#BACKUP}
 * @param unicastSource present in unicast mode, which then has at least one peer
 * @param trackLb present when {@code track-lb.enabled}
 */
public record InstanceSpec(String name, int version, String iface, int vrid, int priority, int advertIntervalCentis,
        State initialState, boolean preempt, Duration preemptDelay, AuthType authType, String password, List<VipSpec> vips,
        Optional<InetAddress> unicastSource, List<InetAddress> unicastPeers, List<TrackedObject> trackScripts,
        List<TrackedObject> trackInterfaces, Optional<TrackedObject> trackLb, GarpSpec garp, NotifySpec notifyCommands,
        boolean smtpAlert) {

    public InstanceSpec {
        vips = List.copyOf(vips);
        unicastPeers = List.copyOf(unicastPeers);
        trackScripts = List.copyOf(trackScripts);
        trackInterfaces = List.copyOf(trackInterfaces);
    }

    /** Multicast unless unicast peers are configured. */
    public boolean multicast() {
        return unicastPeers.isEmpty();
    }

    public List<InetAddress> vipAddresses() {
        return vips.stream().map(VipSpec::address).toList();
    }

    /** Everything tracked, for {@code vipgate.vrrp.track.EffectivePriority}. */
    public List<TrackedObject> tracked() {
        List<TrackedObject> all = new ArrayList<>(trackScripts);
        all.addAll(trackInterfaces);
        trackLb.ifPresent(all::add);
        return List.copyOf(all);
    }

    /**
     * The state machine's settings.
     *
     * @param localAddress our source address: the unicast source, or the interface's primary address
     */
    public InstanceParams params(InetAddress localAddress) {
        return new InstanceParams(name, version, priority, advertIntervalCentis, initialState, preempt, preemptDelay,
                localAddress, garp.repeat(), garp.masterDelay(), garp.masterRefresh(), garp.masterRefreshRepeat());
    }

    /** What the codec accepts for this instance. */
    public Expectation expectation(ChecksumMode checksumMode) {
        return version == 2
                ? Expectation.v2(advertIntervalCentis / 100, authType, password, vipAddresses(), multicast())
                : Expectation.v3(vipAddresses(), multicast(), checksumMode);
    }

    /** Our advert at the configured priority; the engine sends {@code withPriority} variants. */
    public VrrpPacket advert() {
        return version == 2
                ? VrrpPacket.v2(vrid, priority, advertIntervalCentis / 100, authType, password, vipAddresses())
                : VrrpPacket.v3(vrid, priority, advertIntervalCentis, vipAddresses());
    }

    @Override
    public String toString() {
        // the password stays out of logs
        return "instance " + name + " vrid " + vrid + " on " + iface + " prio " + priority + " vips " + vips;
    }
}
