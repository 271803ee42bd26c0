package vipgate.stream.proxy;

import vipgate.stream.config.ListenerSpec;

/** Where a listener's sessions go: its server block and the running upstream its proxy-pass names. */
public record Route(ListenerSpec spec, Upstream upstream) {
}
