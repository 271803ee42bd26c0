package vipgate.netlink.arp;

final class Frames {
    private Frames() {
    }

    static void requireMac(byte[] mac) {
        if (mac.length != 6) {
            throw new IllegalArgumentException("an Ethernet MAC has 6 bytes, got " + mac.length);
        }
    }
}
