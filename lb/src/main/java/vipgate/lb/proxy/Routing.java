package vipgate.lb.proxy;

import java.util.Map;
import vipgate.lb.config.BufferingSpec;
import vipgate.lb.config.ClientSpec;
import vipgate.lb.route.Router;

/** Everything a request needs from the configuration, swapped as one immutable snapshot on reload. */
public record Routing(Router router, Map<String, UpstreamGroup> upstreams, ClientSpec client,
        BufferingSpec buffering) {
}
