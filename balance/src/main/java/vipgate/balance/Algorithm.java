package vipgate.balance;

/** How a {@link Balancer} picks the server for a request; each mirrors an nginx upstream module. */
public enum Algorithm {
    /** nginx's default smooth weighted round robin. */
    ROUND_ROBIN,
    /** nginx {@code least_conn}: fewest active requests per weight, round robin among equals. */
    LEAST_CONN,
    /** nginx {@code hash KEY consistent}: a ketama ring of 160 points per weight unit. */
    HASH,
    /** nginx {@code random two least_conn}: the less loaded of two weighted random picks. */
    RANDOM_TWO
}
