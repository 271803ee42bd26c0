package vipgate.netlink.genl;

import vipgate.netlink.message.Attributes;

/** A generic netlink reply: genlmsghdr's command and version, and the attributes after it. */
public record GenlMessage(int command, int version, Attributes attributes) {
}
