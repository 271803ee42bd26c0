package vipgate.ipvs.netlink;

import java.util.Locale;

/** The transport protocols an IPVS service can balance (SVC_ATTR_PROTOCOL, IPPROTO_* numbers). */
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static Protocol fromNumber(int number) {
        return Codes.byCode(values(), Protocol::number, number,
                "IP protocol %d is not one IPVS balances (tcp 6, udp 17, sctp 132)");
    }

    /** {@code tcp}, as in {@code 10.0.0.1:80/tcp}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
