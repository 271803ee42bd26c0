package vipgate.netlink.genl;

import java.util.Map;

/**
 * A generic netlink family as the controller describes it.
 *
 * @param id the message type to address the family with (assigned at registration, differs between boots)
 * @param headerSize bytes of family-specific header after genlmsghdr (0 for IPVS)
 * @param multicastGroups group name to group id
 */
public record GenlFamily(String name, int id, int version, int headerSize, int maxAttribute,
                         Map<String, Integer> multicastGroups) {
    public GenlFamily {
        multicastGroups = Map.copyOf(multicastGroups);
    }
}
