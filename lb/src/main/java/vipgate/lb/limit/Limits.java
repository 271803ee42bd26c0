package vipgate.lb.limit;

import java.util.List;

/**
 * The request limits of a server or location: nginx's limit_req and limit_conn lists, each inherited on its own (a
 * location with a limit_req of its own still has its server's limit_conn). Immutable.
 */
public record Limits(List<LimitReq> req, List<LimitConn> conn) {
    public static final Limits NONE = new Limits(List.of(), List.of());

    public Limits {
        req = List.copyOf(req);
        conn = List.copyOf(conn);
    }
}
