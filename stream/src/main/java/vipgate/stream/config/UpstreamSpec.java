package vipgate.stream.config;

import java.util.List;
import vipgate.balance.Algorithm;

/** A named group of stream servers (nginx stream {@code upstream NAME { ... }}). */
public record UpstreamSpec(String name, Algorithm algorithm, KeyTemplate hashKey, List<PeerSpec> servers) {
}
