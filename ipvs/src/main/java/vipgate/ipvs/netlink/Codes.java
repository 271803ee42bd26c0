package vipgate.ipvs.netlink;

import java.util.function.ToIntFunction;

/** The constant of a wire enum (address family, protocol, forwarding...) with a given kernel number. */
final class Codes {
    private Codes() {
    }

    /**
     * @param what how the error names the field and its valid values, e.g. "forwarding method ... masq 0, local 1"
     * @throws IllegalArgumentException for a number no constant has
     */
    static <E extends Enum<E>> E byCode(E[] values, ToIntFunction<E> code, int wanted, String what) {
        for (E e : values) {
            if (code.applyAsInt(e) == wanted) {
                return e;
            }
        }
        throw new IllegalArgumentException(what.replace("%d", Integer.toString(wanted)));
    }
}
