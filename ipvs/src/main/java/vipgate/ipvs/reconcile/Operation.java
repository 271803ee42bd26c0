package vipgate.ipvs.reconcile;

import vipgate.ipvs.netlink.Destination;
import vipgate.ipvs.netlink.IpvsCodec;
import vipgate.ipvs.netlink.IpvsRequest;
import vipgate.ipvs.netlink.Service;

/** One change of the kernel table, as the reconciler plans it. */
public sealed interface Operation {

    /** The netlink command that performs it. */
    IpvsRequest request();

    record AddService(Service service) implements Operation {
        @Override
        public IpvsRequest request() {
            return IpvsCodec.newService(service);
        }
    }

    record EditService(Service service) implements Operation {
        @Override
        public IpvsRequest request() {
            return IpvsCodec.setService(service);
        }
    }

    /** Removes the service with its real servers. */
    record DeleteService(Service service) implements Operation {
        @Override
        public IpvsRequest request() {
            return IpvsCodec.deleteService(service);
        }
    }

    record AddDestination(Service service, Destination destination) implements Operation {
        @Override
        public IpvsRequest request() {
            return IpvsCodec.newDestination(service, destination);
        }
    }

    record EditDestination(Service service, Destination destination) implements Operation {
        @Override
        public IpvsRequest request() {
            return IpvsCodec.setDestination(service, destination);
        }
    }

    record DeleteDestination(Service service, Destination destination) implements Operation {
        @Override
        public IpvsRequest request() {
            return IpvsCodec.deleteDestination(service, destination);
        }
    }
}
