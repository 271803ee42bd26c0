package vipgate.appliance.it;

/**
 * The config of one vipgate box of the seed topology: a proxy on 0.0.0.0:80 in front of the given web nodes,
 * and VRRP instance VI_1 (VRID 51) on eth0 that tracks the proxy (weight -20), as seed 002's keepalived tracks
 * nginx. Shared by the seed scenario tests and the failover benchmark.
 */
public final class SeedBox {
    private SeedBox() {
    }

    /**
     * @param upstreams HOCON server entries, e.g. {@code { address = "10.77.0.11:80" }}
     * @param advertInterval e.g. "1s", or "100ms" with version 3
     */
    public static String config(String nodeName, int adminPort, int version, String advertInterval, String state, int priority,
            String upstreams, String vip) {
        return """
                vipgate {
                  node-name = "%s"
                  admin.listen = "127.0.0.1:%d"
                  lb {
                    upstreams.web {
                      servers = [ %s ]
                      health-check { type = tcp, interval = 500ms, timeout = 400ms, rise = 1, fall = 1 }
                    }
                    servers = [{ listen = ["0.0.0.0:80"], locations = [{ path = "/", upstream = web }] }]
                  }
                  vrrp.version = %d
                  vrrp.instances.VI_1 {
                    interface = eth0
                    virtual-router-id = 51
                    priority = %d
                    state = %s
                    advert-interval = %s
                    %s
                    virtual-ipaddresses = ["%s/24"]
                    track-lb { enabled = true, weight = -20 }
                  }
                }
                """.formatted(nodeName, adminPort, upstreams, version, priority, state, advertInterval,
                version == 2 ? "authentication { type = pass, password = \"1111\" }" : "", vip);
    }
}
