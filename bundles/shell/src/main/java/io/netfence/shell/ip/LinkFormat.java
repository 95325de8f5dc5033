package io.netfence.shell.ip;

import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.LinkStats;
import io.netfence.packet.MacAddress;
import io.netfence.shell.text.JsonWriter;
import io.netfence.shell.text.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How iproute2 prints a link, shared by {@code ip link} and {@code ip address}: the header line,
 * the link/ether line, the {@code -d} details line, the {@code -s} counter block, and the JSON fields.
 */
final class LinkFormat {
    static final String LOOPBACK_TYPE = "loopback";
    /** An xfrm interface: no link layer (ARPHRD_NONE, flag NOARP), no carrier of its own, as Linux's xfrmi. */
    static final String XFRM_TYPE = "xfrm";

    private LinkFormat() {
    }

    static boolean isLoopback(LinkInfo link) {
        return LOOPBACK_TYPE.equals(link.type());
    }

    static boolean isXfrm(LinkInfo link) {
        return XFRM_TYPE.equals(link.type());
    }

    /** Interface flags in the order Linux prints them. */
    static List<String> flags(LinkInfo link) {
        List<String> flags = new ArrayList<>(5);
        if (link.adminUp() && !link.operUp()) {
            flags.add("NO-CARRIER");
        }
        if (isLoopback(link)) {
            flags.add("LOOPBACK");
        } else if (isXfrm(link)) {
            flags.add("NOARP");
        } else {
            flags.add("BROADCAST");
            flags.add("MULTICAST");
        }
        if (link.adminUp()) {
            flags.add("UP");
        }
        if (link.operUp()) {
            flags.add("LOWER_UP");
        }
        return flags;
    }

    /** Operational state: Linux reports a loopback that is up as UNKNOWN (it has no carrier). */
    static String operState(LinkInfo link) {
        if (!link.operUp()) {
            return "DOWN";
        }
        return isLoopback(link) || isXfrm(link) ? "UNKNOWN" : "UP";
    }

    /**
     * {@code 2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default};
     * {@code ip address} leaves out "mode DEFAULT". No "qlen": links have no transmit queue length here.
     */
    static String header(LinkInfo link, boolean withMode) {
        return link.index() + ": " + link.name() + ": <" + String.join(",", flags(link)) + "> mtu " + link.mtu()
                + " qdisc noqueue state " + operState(link) + (withMode ? " mode DEFAULT" : "") + " group default";
    }

    static String linkType(LinkInfo link) {
        return isLoopback(link) ? "loopback" : isXfrm(link) ? "none" : "ether";
    }

    static MacAddress mac(LinkInfo link) {
        return link.mac() == null ? MacAddress.ZERO : link.mac();
    }

    static MacAddress broadcast(LinkInfo link) {
        return isLoopback(link) ? MacAddress.ZERO : MacAddress.BROADCAST;
    }

    /** {@code     link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff}; {@code     link/none} for a link without addresses. */
    static String linkLine(LinkInfo link) {
        if (isXfrm(link)) {
            return "    link/none";
        }
        return "    link/" + linkType(link) + " " + mac(link) + " brd " + broadcast(link);
    }

    /** {@code -d}: the type, then the driver's facts sorted by name, then the queue count. */
    static String detailsLine(LinkInfo link) {
        StringBuilder sb = new StringBuilder("    ").append(link.type());
        for (Map.Entry<String, String> e : new TreeMap<>(link.details()).entrySet()) {
            sb.append(' ').append(e.getKey()).append(' ').append(e.getValue());
        }
        return sb.append(" numrxqueues ").append(link.rxQueues()).toString();
    }

    /**
     * The {@code -s} block in iproute2's layout (columns sized as ip does: at least the width of
     * the widest label, wider for big numbers, shared by RX and TX). With {@code -s -s} a Netfence
     * line follows RX: the packets dropped in the packet path, per reason, most frequent first.
     */
    static List<String> statsLines(LinkStats s, int level) {
        Object[] rx = {s.rxBytes(), s.rxPackets(), 0L, s.rxDropped(), 0L, 0L};
        Object[] tx = {s.txBytes(), s.txPackets(), 0L, s.txDropped(), 0L, 0L};
        // minimum widths: strlen("*X errors:"), "packets", "errors", "dropped", "heartbt", "overrun"
        Table values = statsTable().row(rx).row(tx);
        int[] w = values.widths();
        Table block = statsTable()
                .row("RX: " + Table.padLeft("bytes", w[0] - 4), "packets", "errors", "dropped", "missed", "mcast")
                .row(rx)
                .row("TX: " + Table.padLeft("bytes", w[0] - 4), "packets", "errors", "dropped", "carrier", "collsns")
                .row(tx);
        List<String> lines = new ArrayList<>(block.lines());
        if (level >= 2 && !s.dropReasons().isEmpty()) {
            StringBuilder sb = new StringBuilder("    RX drops:");
            for (Map.Entry<String, Long> e : sortedDropReasons(s)) {
                sb.append(' ').append(e.getKey()).append(' ').append(e.getValue());
            }
            lines.add(2, sb.toString());
        }
        return lines;
    }

    private static Table statsTable() {
        return new Table(6).indent("    ").separator(" ").alignRight(0, 1, 2, 3, 4, 5)
                .minWidth(0, 10).minWidth(1, 7).minWidth(2, 6).minWidth(3, 7).minWidth(4, 7).minWidth(5, 7);
    }

    static List<Map.Entry<String, Long>> sortedDropReasons(LinkStats s) {
        List<Map.Entry<String, Long>> reasons = new ArrayList<>(s.dropReasons().entrySet());
        reasons.sort(Comparator.comparing((Map.Entry<String, Long> e) -> e.getValue()).reversed()
                .thenComparing(Map.Entry::getKey));
        return reasons;
    }

    /** The members iproute2's JSON gives a link; the caller has opened the object. */
    static void jsonFields(JsonWriter json, LinkInfo link, IpOptions options, boolean withMode) {
        json.member("ifindex", link.index())
                .member("ifname", link.name())
                .member("flags", flags(link))
                .member("mtu", link.mtu())
                .member("qdisc", "noqueue")
                .member("operstate", operState(link));
        if (withMode) {
            json.member("linkmode", "DEFAULT");
        }
        json.member("group", "default")
                .member("link_type", linkType(link));
        if (!isXfrm(link)) {
            json.member("address", mac(link).toString()).member("broadcast", broadcast(link).toString());
        }
        if (options.details()) {
            json.member("num_rx_queues", link.rxQueues());
            json.name("linkinfo").beginObject().member("info_kind", link.type()).name("info_data").beginObject();
            for (Map.Entry<String, String> e : new TreeMap<>(link.details()).entrySet()) {
                json.member(e.getKey(), e.getValue());
            }
            json.endObject().endObject();
        }
        if (options.stats() > 0) {
            LinkStats s = link.stats();
            json.name("stats64").beginObject();
            json.name("rx").beginObject()
                    .member("bytes", s.rxBytes()).member("packets", s.rxPackets()).member("errors", 0)
                    .member("dropped", s.rxDropped()).member("over_errors", 0).member("multicast", 0);
            if (options.stats() >= 2) {
                json.name("drop_reasons").beginObject();
                for (Map.Entry<String, Long> e : sortedDropReasons(s)) {
                    json.member(e.getKey(), e.getValue());
                }
                json.endObject();
            }
            json.endObject();
            json.name("tx").beginObject()
                    .member("bytes", s.txBytes()).member("packets", s.txPackets()).member("errors", 0)
                    .member("dropped", s.txDropped()).member("carrier_errors", 0).member("collisions", 0)
                    .endObject();
            json.endObject();
        }
    }

    /** Lines of one record, joined as iproute2 does: by newlines, or by '\' with -oneline. */
    static String record(List<String> lines, IpOptions options) {
        return String.join(options.oneline() ? "\\" : "\n", lines);
    }
}
