package vipgate.ipvs.list;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import vipgate.ipvs.netlink.AddressFamily;
import vipgate.ipvs.netlink.Addresses;
import vipgate.ipvs.netlink.DestinationEntry;
import vipgate.ipvs.netlink.Info;
import vipgate.ipvs.netlink.KernelService;
import vipgate.ipvs.netlink.Service;
import vipgate.ipvs.netlink.ServiceKey;
import vipgate.ipvs.netlink.Stats;

/**
 * The kernel table printed exactly as {@code ipvsadm -Ln} (and {@code --stats}, {@code --rate}) of ipvsadm 1.31
 * prints it, column widths, number abbreviations and trailing blanks included, so scripts written against
 * ipvsadm's output read ours. Pure: formats what a dump returned.
 */
public final class IpvsadmFormat {

    /** Which of ipvsadm's listings. */
    public enum Layout {
        /** {@code ipvsadm -Ln}: scheduler, flags, forwarding, weight and connection counts. */
        DEFAULT,
        /** {@code ipvsadm -Ln --stats}: totals. */
        STATS,
        /** {@code ipvsadm -Ln --rate}: per-second rates. */
        RATE
    }

    private IpvsadmFormat() {
    }

    public static String format(Info info, List<KernelService> table, Layout layout) {
        StringBuilder out = new StringBuilder();
        out.append("IP Virtual Server version ").append(info.versionString()).append(" (size=")
                .append(info.connectionTableSize()).append(")\n");
        out.append(switch (layout) {
            case DEFAULT -> "Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
            case STATS -> String.format("%-33s %8s %8s %8s %8s %8s", "Prot LocalAddress:Port", "Conns", "InPkts",
                    "OutPkts", "InBytes", "OutBytes") + "\n  -> RemoteAddress:Port\n";
            case RATE -> String.format("%-33s %8s %8s %8s %8s %8s", "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS",
                    "InBPS", "OutBPS") + "\n  -> RemoteAddress:Port\n";
        });
        List<KernelService> sorted = new ArrayList<>(table);
        sorted.sort(SERVICE_ORDER);
        for (KernelService k : sorted) {
            service(out, k, layout);
        }
        return out.toString();
    }

    private static void service(StringBuilder out, KernelService k, Layout layout) {
        Service s = k.service();
        String name = serviceName(s.key());
        Stats st = k.entry().stats();
        switch (layout) {
            case DEFAULT -> {
                out.append(name).append(' ').append(s.scheduler());
                int schedFlags = s.flags() & (Service.SCHED1 | Service.SCHED2 | Service.SCHED3);
                if (schedFlags != 0) {
                    out.append(" (").append(schedulerFlags(s)).append(')');
                }
                if (s.persistent()) {
                    out.append(" persistent ").append(Integer.toUnsignedString(s.timeout()));
                    if (s.key().family() == AddressFamily.INET && s.netmask() != 0xffffffff) {
                        int m = s.netmask();
                        out.append(" mask ").append((m >>> 24) & 0xff).append('.').append((m >>> 16) & 0xff).append('.')
                                .append((m >>> 8) & 0xff).append('.').append(m & 0xff);
                    } else if (s.key().family() == AddressFamily.INET6 && s.netmask() != 128) {
                        out.append(" mask ").append(s.netmask());
                    }
                    if (!s.persistenceEngine().isEmpty()) {
                        out.append(" pe ").append(s.persistenceEngine());
                    }
                }
                if ((s.flags() & Service.ONE_PACKET) != 0) {
                    out.append(" ops");
                }
            }
            case STATS -> out.append(pad(name, 33)).append(large(st.connections())).append(large(st.inPackets()))
                    .append(large(st.outPackets())).append(large(st.inBytes())).append(large(st.outBytes()));
            case RATE -> out.append(pad(name, 33)).append(large(st.connectionsPerSecond()))
                    .append(large(st.inPacketsPerSecond())).append(large(st.outPacketsPerSecond()))
                    .append(large(st.inBytesPerSecond())).append(large(st.outBytesPerSecond()));
        }
        out.append('\n');
        List<DestinationEntry> destinations = new ArrayList<>(k.destinations());
        destinations.sort(DESTINATION_ORDER);
        for (DestinationEntry d : destinations) {
            String dname = Addresses.withPort(d.destination().address(), d.destination().port());
            if (d.destination().family() == AddressFamily.INET && dname.length() > 28) {
                dname = dname.substring(0, 28);
            }
            Stats ds = d.stats();
            out.append("  -> ").append(pad(dname, 28));
            switch (layout) {
                case DEFAULT -> out.append(' ').append(pad(d.destination().forwarding().ipvsadmName(), 7))
                        .append(' ').append(pad(Integer.toString(d.destination().weight()), 6))
                        .append(' ').append(pad(Integer.toUnsignedString(d.activeConnections()), 10))
                        .append(' ').append(pad(Integer.toUnsignedString(d.inactiveConnections()), 10));
                case STATS -> out.append(large(ds.connections())).append(large(ds.inPackets())).append(large(ds.outPackets()))
                        .append(large(ds.inBytes())).append(large(ds.outBytes()));
                // ipvsadm prints the packet and connection rates of real servers unabbreviated ("%8llu")
                case RATE -> out.append(String.format(" %8d %8d %8d", ds.connectionsPerSecond(), ds.inPacketsPerSecond(),
                        ds.outPacketsPerSecond())).append(large(ds.inBytesPerSecond())).append(large(ds.outBytesPerSecond()));
            }
            out.append('\n');
        }
    }

    /** {@code TCP  10.0.0.1:80} (cut at 33 characters for IPv4, as ipvsadm does), {@code FWM  5}, {@code FWM  5 IPv6}. */
    static String serviceName(ServiceKey key) {
        if (key instanceof ServiceKey.Fwmark f) {
            // ipvsadm prints the u32 mark with %d
            return "FWM  " + f.mark() + (f.family() == AddressFamily.INET6 ? " IPv6" : "");
        }
        ServiceKey.Address a = (ServiceKey.Address) key;
        String name = pad(a.protocol().name(), 4) + " " + Addresses.withPort(a.address(), a.port());
        return a.family() == AddressFamily.INET && name.length() > 33 ? name.substring(0, 33) : name;
    }

    /** ipvsadm's scheduler flag names: sh-* and mh-* for those schedulers, flag-N for the others. */
    static String schedulerFlags(Service s) {
        List<String> names = new ArrayList<>();
        int f = s.flags();
        switch (s.scheduler()) {
            case "sh", "mh" -> {
                if ((f & Service.SCHED_FALLBACK) != 0) {
                    names.add(s.scheduler() + "-fallback");
                }
                if ((f & Service.SCHED_PORT) != 0) {
                    names.add(s.scheduler() + "-port");
                }
            }
            default -> {
                if ((f & Service.SCHED1) != 0) {
                    names.add("flag-1");
                }
                if ((f & Service.SCHED2) != 0) {
                    names.add("flag-2");
                }
                if ((f & Service.SCHED3) != 0) {
                    names.add("flag-3");
                }
            }
        }
        return String.join(",", names);
    }

    /** ipvsadm's print_largenum: 9 columns, then K/M/G/T in 8 columns plus the letter. */
    static String large(long value) {
        if (Long.compareUnsigned(value, 100_000_000L) < 0) {
            return String.format("%9d", value);
        } else if (Long.compareUnsigned(value, 1_000_000_000L) < 0) {
            return String.format("%8dK", Long.divideUnsigned(value, 1000));
        } else if (Long.compareUnsigned(value, 100_000_000_000L) < 0) {
            return String.format("%8dM", Long.divideUnsigned(value, 1_000_000));
        } else if (Long.compareUnsigned(value, 100_000_000_000_000L) < 0) {
            return String.format("%8dG", Long.divideUnsigned(value, 1_000_000_000L));
        }
        return String.format("%8sT", Long.toUnsignedString(Long.divideUnsigned(value, 1_000_000_000_000L)));
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /**
     * libipvs's ipvs_cmp_services order: fwmark, family, protocol, address, port; address services (mark 0) first.
     * ipvsadm subtracts the values as signed ints, which misorders values 2^31 apart; this compares unsigned, which
     * agrees with ipvsadm whenever its comparison is consistent.
     */
    static final Comparator<KernelService> SERVICE_ORDER = Comparator
            .<KernelService>comparingLong(k -> k.service().key() instanceof ServiceKey.Fwmark f ? Integer.toUnsignedLong(f.mark()) : 0)
            .thenComparingInt(k -> k.service().key().family().code())
            .thenComparingInt(k -> k.service().key() instanceof ServiceKey.Address a ? a.protocol().number() : 0)
            .thenComparing(k -> k.service().key() instanceof ServiceKey.Address a ? a.address().getAddress() : new byte[0],
                    IpvsadmFormat::compareUnsigned)
            .thenComparingInt(k -> k.service().key() instanceof ServiceKey.Address a ? a.port() : 0);

    /** ipvs_cmp_dests: address, then port. */
    static final Comparator<DestinationEntry> DESTINATION_ORDER = Comparator
            .<DestinationEntry, byte[]>comparing(d -> d.destination().address().getAddress(), IpvsadmFormat::compareUnsigned)
            .thenComparingInt(d -> d.destination().port());

    private static int compareUnsigned(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }
}
