package io.netfence.port.gen.internal;

import io.netfence.net.spi.DriverArgs;
import io.netfence.net.api.NetException;
import io.netfence.packet.IpAddress;
import io.netfence.packet.MacAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The parsed words of {@code ip link add NAME type gen ...}.
 *
 * @param rate packets per second for the whole port, 0 = unlimited
 * @param count packets to generate in total, 0 = unlimited
 * @param size frame length without FCS
 * @param flows number of distinct flows cycled through
 * @param protocol IP protocol number: {@link #UDP}, {@link #TCP} or {@link #ICMP}
 * @param src IPv4 source address bits
 * @param dst IPv4 destination address bits
 * @param smac source MAC, or null for the generator's default
 * @param dmac destination MAC, or null for the port's own address
 * @param sport UDP/TCP source port (the first flow's)
 * @param dport UDP/TCP destination port
 * @param template pcap file whose first frame is sent instead of a built one, or null
 * @param vlan 802.1Q VLAN id, 0 for an untagged frame
 */
record GenOptions(long rate, long count, int size, int flows, int protocol, int src, int dst, MacAddress smac,
        MacAddress dmac, int sport, int dport, Path template, int vlan) {

    static final int UDP = 17;
    static final int TCP = 6;
    static final int ICMP = 1;

    static final String USAGE = "gen [rate PPS] [count N] [size BYTES] [flows N] [proto udp|tcp|icmp] [src IP] [dst IP]"
            + " [smac MAC] [dmac MAC] [sport N] [dport N] [template FILE.pcap] [vlan ID]";
    static final long MAX_RATE = 1_000_000_000L;
    static final int MIN_SIZE = 60;
    static final int MAX_SIZE = 9216;
    static final int MAX_FLOWS = 65536;
    static final int DEFAULT_SIZE = 64;
    /** RFC 2544 benchmarking addresses (198.18.0.0/15): never routed on the Internet. */
    static final int DEFAULT_SRC = 0xC612_0001;
    static final int DEFAULT_DST = 0xC613_0001;
    static final int DEFAULT_SPORT = 1024;
    /** The discard port: generated traffic has no listener. */
    static final int DEFAULT_DPORT = 9;

    private static final Set<String> KEYWORDS = Set.of("rate", "count", "size", "flows", "proto", "src", "dst", "smac", "dmac",
            "sport", "dport", "template", "vlan");
    /** What a template frame supplies itself, so these may not be combined with it. */
    private static final List<String> BUILT_FRAME_WORDS = List.of("size", "proto", "src", "dst", "smac", "dmac", "sport", "dport", "vlan");

    /** Parses and checks the arguments without opening anything. */
    static GenOptions parse(List<String> args) {
        DriverArgs walker = new DriverArgs(USAGE, args);
        long rate = 0;
        long count = 0;
        int size = DEFAULT_SIZE;
        int flows = 1;
        int protocol = UDP;
        int src = DEFAULT_SRC;
        int dst = DEFAULT_DST;
        MacAddress smac = null;
        MacAddress dmac = null;
        int sport = DEFAULT_SPORT;
        int dport = DEFAULT_DPORT;
        Path template = null;
        int vlan = 0;
        String firstBuiltWord = null;
        String firstPortWord = null;
        while (walker.hasNext()) {
            String keyword = walker.keyword(KEYWORDS);
            String value = switch (keyword) {
                case "proto" -> walker.value(keyword, "udp|tcp|icmp");
                case "src", "dst" -> walker.value(keyword, "IP");
                case "smac", "dmac" -> walker.value(keyword, "MAC");
                case "template" -> walker.value(keyword, "FILE.pcap");
                case "vlan" -> walker.value(keyword, "ID");
                case "size" -> walker.value(keyword, "BYTES");
                case "rate" -> walker.value(keyword, "PPS");
                default -> walker.value(keyword, "N");
            };
            if (firstBuiltWord == null && BUILT_FRAME_WORDS.contains(keyword)) {
                firstBuiltWord = keyword;
            }
            switch (keyword) {
                case "rate" -> rate = DriverArgs.number(keyword, value, 0, MAX_RATE, true,
                        "packets per second 0-" + MAX_RATE + " (0 = unlimited; k, M, G suffixes allowed)");
                case "count" -> count = DriverArgs.number(keyword, value, 0, Long.MAX_VALUE / 2, true,
                        "a packet count 0-" + Long.MAX_VALUE / 2 + " (0 = unlimited; k, M, G suffixes allowed)");
                case "size" -> size = (int) DriverArgs.number(keyword, value, MIN_SIZE, MAX_SIZE, false,
                        "a frame size in bytes without FCS, " + MIN_SIZE + "-" + MAX_SIZE);
                case "flows" -> flows = (int) DriverArgs.number(keyword, value, 1, MAX_FLOWS, false, "a flow count 1-" + MAX_FLOWS);
                case "proto" -> protocol = switch (value) {
                    case "udp" -> UDP;
                    case "tcp" -> TCP;
                    case "icmp" -> ICMP;
                    default -> throw DriverArgs.refuse(keyword, value, "udp, tcp or icmp");
                };
                case "src" -> src = ipv4(keyword, value);
                case "dst" -> dst = ipv4(keyword, value);
                case "smac" -> smac = unicastMac(keyword, value);
                case "dmac" -> dmac = mac(keyword, value);
                case "sport", "dport" -> {
                    int port = (int) DriverArgs.number(keyword, value, 0, 65535, false, "a port number 0-65535");
                    if (keyword.equals("sport")) {
                        sport = port;
                    } else {
                        dport = port;
                    }
                    if (firstPortWord == null) {
                        firstPortWord = keyword;
                    }
                }
                case "template" -> template = pcapFile(keyword, value);
                case "vlan" -> vlan = (int) DriverArgs.number(keyword, value, 1, 4094, false, "a VLAN id 1-4094");
                default -> throw new IllegalStateException(keyword);
            }
        }
        if (template != null && firstBuiltWord != null) {
            throw new NetException("argument \"" + firstBuiltWord + "\" cannot be combined with template: the frame comes from the file;"
                    + " expected template FILE.pcap with only rate, count and flows");
        }
        if (protocol == ICMP && firstPortWord != null) {
            throw new NetException("argument \"" + firstPortWord + "\" needs proto udp or tcp: ICMP has no ports");
        }
        int headers = headerLength(protocol, vlan);
        if (size < headers) {
            throw DriverArgs.refuse("size", Integer.toString(size), "at least " + headers + " bytes for the headers chosen");
        }
        return new GenOptions(rate, count, size, flows, protocol, src, dst, smac, dmac, sport, dport, template, vlan);
    }

    /** Ethernet (+ 802.1Q tag) + IPv4 + the transport header. */
    static int headerLength(int protocol, int vlan) {
        int l4 = protocol == TCP ? 20 : 8;
        return 14 + (vlan != 0 ? 4 : 0) + 20 + l4;
    }

    static String protocolName(int protocol) {
        return switch (protocol) {
            case UDP -> "udp";
            case TCP -> "tcp";
            case ICMP -> "icmp";
            default -> Integer.toString(protocol);
        };
    }

    private static int ipv4(String keyword, String value) {
        IpAddress a = IpAddress.tryParse(value);
        if (a == null || !a.isV4()) {
            throw DriverArgs.refuse(keyword, value, "an IPv4 address a.b.c.d");
        }
        return a.v4bits();
    }

    private static MacAddress mac(String keyword, String value) {
        try {
            return MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw DriverArgs.refuse(keyword, value, "a MAC address of six hex octets like 02:00:00:00:00:01");
        }
    }

    private static MacAddress unicastMac(String keyword, String value) {
        MacAddress m = mac(keyword, value);
        if (m.isMulticast()) {
            throw DriverArgs.refuse(keyword, value, "a unicast MAC address (a frame's source cannot be multicast or broadcast)");
        }
        return m;
    }

    private static Path pcapFile(String keyword, String value) {
        Path p;
        try {
            p = value.isEmpty() ? null : Path.of(value);
        } catch (InvalidPathException e) {
            p = null;
        }
        if (p == null) {
            throw DriverArgs.refuse(keyword, value, "the name of a pcap file");
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw DriverArgs.refuse(keyword, value, "an existing, readable pcap file");
        }
        return p;
    }
}
