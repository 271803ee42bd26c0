package vipgate.ipvs.netlink;

import java.util.List;
import java.util.Optional;
import vipgate.netlink.message.Attribute;

/**
 * One IPVS command ready to send: the command, its attributes, and what it is about (for error messages such as
 * "no such service 10.0.0.1:80/tcp").
 */
public record IpvsRequest(Command command, List<Attribute> attributes, Optional<Service> service,
        Optional<Destination> destination, Optional<Daemon> daemon) {

    public IpvsRequest {
        attributes = List.copyOf(attributes);
    }

    static IpvsRequest plain(Command command, Attribute... attributes) {
        return new IpvsRequest(command, List.of(attributes), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** {@code NEW_DEST 10.0.0.2:80 to 10.0.0.1:80/tcp}: the command and its objects, for logs. */
    public String describe() {
        StringBuilder out = new StringBuilder(command.name());
        destination.ifPresent(d -> out.append(' ').append(d).append(service.isPresent() ? " of" : ""));
        service.ifPresent(s -> out.append(' ').append(s));
        daemon.ifPresent(d -> out.append(' ').append(d.state().name().toLowerCase(java.util.Locale.ROOT))
                .append(" sync daemon on ").append(d.interfaceName()).append(" sync-id ").append(d.syncId()));
        return out.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
