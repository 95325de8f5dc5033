package io.netfence.shell.ip;

import io.netfence.net.api.NetService;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.shell.text.Args;
import io.netfence.shell.text.CommandException;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import java.util.List;
import java.util.Locale;

/**
 * The values {@code ip xfrm} takes, read as iproute2's ipxfrm.c reads them: numbers in C's base 0
 * (decimal, 0x hex, 0 octal), the ID group (src, dst, proto, spi), the SELECTOR group (src, dst,
 * dev and one UPSPEC group), marks, modes and limits. Only ESP exists in Netfence: the other
 * XFRM-PROTO words are refused by name.
 */
final class XfrmWords {
    static final long U8 = 0xFF;
    static final long U16 = 0xFFFF;
    static final long U32 = 0xFFFF_FFFFL;
    /** 2^64 - 1, which is also Lifetime.INF. */
    static final long U64 = -1L;

    static final List<String> ID_WORDS = List.of("src", "dst", "proto", "spi");
    static final List<String> SELECTOR_WORDS = List.of("src", "dst", "dev", "proto", "sport", "dport", "type", "code", "key");
    static final String ID_FORM = "src ADDR dst ADDR proto esp spi SPI";
    static final String SELECTOR_FORM = "[src ADDR[/PLEN]] [dst ADDR[/PLEN]] [dev DEV] [proto PROTO [sport PORT] [dport PORT]"
            + " | proto { icmp | ipv6-icmp } [type N] [code N] | proto gre [key KEY]]";
    static final String LIMIT_FORM = "{ time-soft | time-hard | time-use-soft | time-use-hard } SECONDS"
            + " | { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT";
    /** In the order of Lifetime's components. */
    static final List<String> LIMIT_WORDS = List.of("byte-soft", "byte-hard", "packet-soft", "packet-hard",
            "time-soft", "time-hard", "time-use-soft", "time-use-hard");

    private static final List<String> UPSPEC_WORDS = List.of("proto", "sport", "dport", "type", "code", "key");
    /** XFRM-PROTO words iproute2 knows besides esp. */
    private static final List<String> OTHER_XFRM_PROTOS = List.of("ah", "comp", "route2", "hao", "ipsec-any");
    /** iproute2 tries the modes in this order, by prefix. */
    private static final List<String> MODES = List.of("transport", "tunnel", "ro", "in_trigger", "beet");
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int DCCP = 33;
    private static final int SCTP = 132;
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;
    private static final int GRE = 47;
    private static final int MOBILITY_HEADER = 135;

    /** IP protocol names as /etc/protocols (Debian netbase) gives them; iproute2 prints these. */
    private static final String[] PROTOCOL_NAMES = new String[256];

    static {
        String table = "1 icmp 2 igmp 3 ggp 4 ipencap 5 st 6 tcp 8 egp 9 igp 12 pup 17 udp 20 hmp 22 xns-idp 27 rdp"
                + " 29 iso-tp4 33 dccp 36 xtp 37 ddp 38 idpr-cmtp 41 ipv6 43 ipv6-route 44 ipv6-frag 45 idrp 46 rsvp"
                + " 47 gre 50 esp 51 ah 57 skip 58 ipv6-icmp 59 ipv6-nonxt 60 ipv6-opts 73 rspf 81 vmtp 88 eigrp"
                + " 89 ospf 93 ax.25 94 ipip 97 etherip 98 encap 103 pim 108 ipcomp 112 vrrp 115 l2tp 124 isis"
                + " 132 sctp 133 fc 135 mobility-header 136 udplite 137 mpls-in-ip 138 manet 139 hip 140 shim6"
                + " 141 wesp 142 rohc 143 ethernet";
        String[] words = table.split(" ");
        for (int i = 0; i < words.length; i += 2) {
            PROTOCOL_NAMES[Integer.parseInt(words[i])] = words[i + 1];
        }
    }

    private XfrmWords() {
    }

    /**
     * iproute2's get_u32/get_u64 (C's strtoul with base 0): decimal, hex after 0x, octal after a
     * leading 0, within [min, max] compared unsigned.
     */
    static long unsigned(String word, String keyword, long min, long max) {
        int radix = 10;
        String digits = word;
        if (word.startsWith("0x") || word.startsWith("0X")) {
            radix = 16;
            digits = word.substring(2);
        } else if (word.length() > 1 && word.charAt(0) == '0') {
            radix = 8;
            digits = word.substring(1);
        }
        boolean valid = !digits.isEmpty();
        for (int i = 0; valid && i < digits.length(); i++) {
            char c = digits.charAt(i);
            valid = c < 128 && Character.digit(c, radix) >= 0;
        }
        long value = 0;
        if (valid) {
            try {
                value = Long.parseUnsignedLong(digits, radix);
            } catch (NumberFormatException e) {
                valid = false;
            }
        }
        if (!valid || Long.compareUnsigned(value, min) < 0 || Long.compareUnsigned(value, max) > 0) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects a number " + Long.toUnsignedString(min)
                    + "-" + Long.toUnsignedString(max) + " (decimal, or hex after 0x)");
        }
        return value;
    }

    /** The 32-bit number after {@code keyword} (REQID, SPI, INDEX, IF_ID, PRIORITY, MARK...). */
    static int u32(Args args, String keyword, String name) {
        return (int) unsigned(args.value(keyword, name), keyword, 0, U32);
    }

    /** Refuses a keyword given twice ({@code current} is what the first one set). */
    static void once(Object current, String keyword) {
        if (current != null) {
            throw CommandException.duplicate(keyword);
        }
    }

    /** Like {@link #u32(Args, String, String)}, refusing the keyword a second time. */
    static Integer u32(Args args, String keyword, String name, Integer current) {
        once(current, keyword);
        return u32(args, keyword, name);
    }

    /** {@code mode MODE} after the word "mode", at most once. */
    static XfrmMode mode(Args args, XfrmMode current) {
        once(current, "mode");
        return mode(args.value("mode", "transport | tunnel"));
    }

    /** {@code dir DIR} after the word "dir", at most once. */
    static XfrmDirection direction(Args args, XfrmDirection current) {
        once(current, "dir");
        return direction(args.value("dir", "in | out | fwd"));
    }

    /** {@code mark MARK [mask MASK]} after the word "mark", at most once. */
    static Mark mark(Args args, Mark current) {
        once(current, "mark");
        return mark(args);
    }

    /**
     * The value of the one optional keyword a command takes ({@code flush [proto esp]}), or null;
     * any other word is refused with the command's {@code usage}.
     */
    static String onlyOption(Args args, String keyword, String usage) {
        if (!args.hasNext()) {
            return null;
        }
        String word = args.next();
        if (!word.equals(keyword)) {
            throw CommandException.badArgument(word, "expected " + usage);
        }
        String value = args.value(word, usage.substring(usage.indexOf(keyword) + keyword.length() + 1, usage.length() - 1));
        if (args.hasNext()) {
            throw CommandException.badArgument(args.next(), "expected " + usage);
        }
        return value;
    }

    static String u32Text(int value) {
        return Integer.toUnsignedString(value);
    }

    /** {@code esp}; the other XFRM-PROTO words are named and refused. */
    static void esp(String word) {
        if (word.equals("esp")) {
            return;
        }
        if (OTHER_XFRM_PROTOS.contains(word)) {
            throw CommandException.badArgument(word, "Netfence implements ESP only: expected proto esp");
        }
        throw CommandException.badArgument(word, "expected proto esp (XFRM-PROTO := esp | ah | comp | route2 | hao;"
                + " Netfence implements esp)");
    }

    /** {@code transport} or {@code tunnel}, by prefix as iproute2 matches them; beet, ro and in_trigger are refused. */
    static XfrmMode mode(String word) {
        String mode = Args.match(word, MODES);
        if (mode == null) {
            throw CommandException.badArgument(word, "expected mode transport or tunnel");
        }
        return switch (mode) {
            case "transport" -> XfrmMode.TRANSPORT;
            case "tunnel" -> XfrmMode.TUNNEL;
            default -> throw CommandException.badArgument(word, "mode " + mode
                    + " is not supported by Netfence: expected transport or tunnel");
        };
    }

    /** {@code in}, {@code out} or {@code fwd} (exact words, as iproute2 reads DIR). */
    static XfrmDirection direction(String word) {
        return switch (word) {
            case "in" -> XfrmDirection.IN;
            case "out" -> XfrmDirection.OUT;
            case "fwd" -> XfrmDirection.FWD;
            default -> throw CommandException.badArgument(word, "expected dir in, out or fwd");
        };
    }

    /** {@code mark MARK [mask MASK]} after the word "mark": the mask defaults to 0xffffffff. */
    static Mark mark(Args args) {
        int value = u32(args, "mark", "MARK [mask MASK]");
        int mask = -1;
        if ("mask".equals(args.peek())) {
            args.next();
            mask = u32(args, "mask", "MASK");
        }
        return new Mark(value, mask);
    }

    /** The mark given to {@code get} or {@code delete}: as iproute2, one whose value is 0 after the mask means none. */
    static Mark lookupMark(Mark mark) {
        return mark == null || (mark.value() & mark.mask()) == 0 ? Mark.NONE : mark;
    }

    /** A fresh set of limits: none (INF bytes and packets, no time limits). */
    static long[] noLimits() {
        Lifetime n = Lifetime.NONE;
        return new long[] {n.softBytes(), n.hardBytes(), n.softPackets(), n.hardPackets(), n.softAddSeconds(),
                n.hardAddSeconds(), n.softUseSeconds(), n.hardUseSeconds()};
    }

    /** {@code limit LIMIT VALUE} after the word "limit", into {@code limits} (see {@link #LIMIT_WORDS}). */
    static void limit(Args args, long[] limits, boolean[] given) {
        String kind = args.value("limit", LIMIT_FORM);
        int i = LIMIT_WORDS.indexOf(kind);
        if (i < 0) {
            throw CommandException.badArgument(kind, "expected limit " + LIMIT_FORM);
        }
        if (given[i]) {
            throw CommandException.duplicate("limit " + kind);
        }
        boolean time = i >= 4;
        // byte and packet limits are 64-bit counts (2^64 - 1 is "no limit"); times are seconds
        limits[i] = unsigned(args.value(kind, time ? "SECONDS" : "COUNT"), kind, 0, time ? Long.MAX_VALUE : U64);
        given[i] = true;
    }

    static Lifetime lifetime(long[] l) {
        return new Lifetime(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7]);
    }

    /** A single address, also written as a full-length prefix (iproute2 reads ID addresses as prefixes). */
    static IpAddress address(String word, int family) {
        return IpWords.hostAddress(word, family);
    }

    /**
     * A prefix as a selector or a list filter takes it. "default", "any" and "all" need a family
     * (-4 or -6), as in iproute2 which cannot tell 0.0.0.0/0 from ::/0 otherwise.
     */
    static IpPrefix prefix(String word, int family) {
        if (family == 0 && (word.equals("default") || word.equals("any") || word.equals("all"))) {
            throw CommandException.badArgument(word, "its address family is unknown: write 0.0.0.0/0 or ::/0, or give -4 or -6");
        }
        return IpWords.prefix(word, family);
    }

    /** A protocol's name as iproute2 prints it (from /etc/protocols), else its number. */
    static String protocolName(int proto) {
        String name = PROTOCOL_NAMES[proto & 0xFF];
        return name == null ? Integer.toString(proto & 0xFF) : name;
    }

    /** PROTO: a name from /etc/protocols, "any" (0), or a number 0-255. */
    static int protocol(String word) {
        if (word.equals("any") || word.equals("ip") || word.equals("hopopt")) {
            return 0;
        }
        for (int p = 0; p < PROTOCOL_NAMES.length; p++) {
            if (word.toLowerCase(Locale.ROOT).equals(PROTOCOL_NAMES[p])) {
                return p;
            }
        }
        if (word.isEmpty() || Character.isDigit(word.charAt(0))) {
            return (int) unsigned(word, "proto", 0, U8);
        }
        throw CommandException.badArgument(word, "expected an IP protocol: tcp, udp, sctp, dccp, icmp, ipv6-icmp, gre,"
                + " another name from /etc/protocols, or a number 0-255");
    }

    /**
     * The words of an xfrm ID group (iproute2's xfrm_id_parse): src, dst, proto and spi in any
     * order, until another word; each at most once, proto esp, src and dst of one family. What
     * they must hold depends on the command.
     */
    static final class Id {
        String srcWord;
        String dstWord;
        String protoWord;
        String spiWord;
        int spi;

        boolean hasSpi() {
            return spiWord != null;
        }

        boolean given() {
            return srcWord != null || dstWord != null || protoWord != null || spiWord != null;
        }

        /** Reads the group if the next word starts one (true); a second group is refused, as in iproute2. */
        boolean parse(Args args, int family) {
            if (!args.hasNext() || !ID_WORDS.contains(args.peek())) {
                return false;
            }
            if (given()) {
                throw CommandException.badArgument(args.peek(), "the ID is given in one place: expected " + ID_FORM + " together");
            }
            read(this, args);
            return true;
        }
    }

    private static void read(Id id, Args args) {
        while (args.hasNext() && ID_WORDS.contains(args.peek())) {
            String word = args.next();
            switch (word) {
                case "src" -> id.srcWord = once(id.srcWord, word, args.value(word, "ADDR"));
                case "dst" -> id.dstWord = once(id.dstWord, word, args.value(word, "ADDR"));
                case "proto" -> {
                    id.protoWord = once(id.protoWord, word, args.value(word, "esp"));
                    esp(id.protoWord);
                }
                default -> {
                    id.spiWord = once(id.spiWord, word, args.value(word, "SPI"));
                    id.spi = (int) unsigned(id.spiWord, word, 0, U32);
                }
            }
        }
        IpPrefix src = id.srcWord == null ? null : tryPrefix(id.srcWord);
        IpPrefix dst = id.dstWord == null ? null : tryPrefix(id.dstWord);
        if (src != null && dst != null) {
            sameFamily(id.dstWord, src, dst, "src", "dst");
        }
    }

    /** The prefix, or null: the command that uses the word says what it expects there. */
    private static IpPrefix tryPrefix(String word) {
        try {
            return IpPrefix.parse(word);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String once(String current, String keyword, String value) {
        if (current != null) {
            throw CommandException.duplicate(keyword);
        }
        return value;
    }

    private static void sameFamily(String word, IpPrefix a, IpPrefix b, String first, String second) {
        if (a.version() != b.version()) {
            throw CommandException.badArgument(word, "\"" + first + "\" and \"" + second + "\" must be of the same address family");
        }
    }

    /** A device a selector or an offload names; "none" (selectors only) is any device. */
    static String device(NetService net, String word, boolean noneAllowed) {
        if (noneAllowed && word.equals("none")) {
            return null;
        }
        return NetCalls.device(net, IpWords.deviceName(word)).name();
    }

    /** A SELECTOR as given: what was given matters to the list filters. */
    static final class SelectorWords {
        String srcWord;
        String dstWord;
        IpPrefix src;
        IpPrefix dst;
        boolean devGiven;
        String dev;
        boolean protoGiven;
        int proto;
        boolean sportGiven;
        int sport;
        int sportMask;
        boolean dportGiven;
        int dport;
        int dportMask;

        boolean given() {
            return srcWord != null || dstWord != null || devGiven || protoGiven || sportGiven || dportGiven;
        }

        /** Reads the SELECTOR if the next word starts one (true); a second one is refused, as in iproute2. */
        boolean parse(Args args, int family, NetService net) {
            if (!args.hasNext() || !SELECTOR_WORDS.contains(args.peek())) {
                return false;
            }
            if (given()) {
                throw CommandException.badArgument(args.peek(), "the SELECTOR is given in one place: expected " + SELECTOR_FORM);
            }
            read(this, args, family, net);
            return true;
        }

        /** The selector, the prefixes not given being all of the family (that of the given prefix, else {@code family}, else IPv4). */
        Selector build(int family) {
            int f = src != null ? src.version() : dst != null ? dst.version() : family != 0 ? family : 4;
            Selector any = Selector.any(f);
            return new Selector(src == null ? any.src() : src, dst == null ? any.dst() : dst, proto, sport, sportMask,
                    dport, dportMask, dev);
        }

        /** iproute2's list filter: the given prefixes contain the selector's addresses, the other given fields are equal. */
        boolean matches(Selector s) {
            return (src == null || src.contains(s.src().address()))
                    && (dst == null || dst.contains(s.dst().address()))
                    && (!devGiven || java.util.Objects.equals(dev, s.device()))
                    && (!protoGiven || proto == s.proto())
                    && (!sportGiven || sport == s.sport())
                    && (!dportGiven || dport == s.dport());
        }
    }

    /**
     * The SELECTOR group (iproute2's xfrm_selector_parse): src, dst and dev in any order and one
     * UPSPEC group (proto, sport, dport, type, code, key in any order), until another word. Ports
     * and ICMP type/code are exact (mask 0xffff); port 0 means any, as in iproute2.
     */
    static SelectorWords selector(Args args, int family, NetService net) {
        SelectorWords s = new SelectorWords();
        read(s, args, family, net);
        return s;
    }

    private static void read(SelectorWords s, Args args, int family, NetService net) {
        boolean upspec = false;
        while (args.hasNext()) {
            String word = args.peek();
            if (word.equals("src") || word.equals("dst") || word.equals("dev")) {
                args.next();
                String value = args.value(word, word.equals("dev") ? "DEV" : "ADDR[/PLEN]");
                switch (word) {
                    case "src" -> {
                        s.srcWord = once(s.srcWord, word, value);
                        s.src = prefix(value, family);
                    }
                    case "dst" -> {
                        s.dstWord = once(s.dstWord, word, value);
                        s.dst = prefix(value, family);
                    }
                    default -> {
                        if (s.devGiven) {
                            throw CommandException.duplicate(word);
                        }
                        s.devGiven = true;
                        s.dev = device(net, value, true);
                    }
                }
            } else if (!upspec && UPSPEC_WORDS.contains(word)) {
                upspec(args, s);
                upspec = true;
            } else {
                break;
            }
        }
        if (s.src != null && s.dst != null) {
            sameFamily(s.dstWord, s.src, s.dst, "src", "dst");
        }
    }

    private static void upspec(Args args, SelectorWords s) {
        String portWord = null;
        String icmpWord = null;
        String keyWord = null;
        while (args.hasNext() && UPSPEC_WORDS.contains(args.peek())) {
            String word = args.next();
            switch (word) {
                case "proto" -> {
                    if (s.protoGiven) {
                        throw CommandException.duplicate(word);
                    }
                    s.protoGiven = true;
                    s.proto = protocol(args.value(word, "PROTO"));
                }
                case "sport", "dport" -> {
                    portWord = word;
                    int port = (int) unsigned(args.value(word, "PORT"), word, 0, U16);
                    boolean source = word.equals("sport");
                    if (source ? s.sportGiven : s.dportGiven) {
                        throw CommandException.duplicate(word);
                    }
                    setPort(s, source, port, port == 0 ? 0 : 0xFFFF);
                }
                case "type", "code" -> {
                    icmpWord = word;
                    boolean type = word.equals("type");
                    if (type ? s.sportGiven : s.dportGiven) {
                        throw CommandException.duplicate(word);
                    }
                    // ICMP type and code travel in the source and destination port fields
                    setPort(s, type, (int) unsigned(args.value(word, "NUMBER"), word, 0, U8), 0xFFFF);
                }
                default -> {
                    keyWord = word;
                    if (s.sportGiven || s.dportGiven) {
                        throw CommandException.duplicate(word);
                    }
                    String value = args.value(word, "{ DOTTED-QUAD | NUMBER }");
                    IpAddress quad = value.indexOf('.') >= 0 ? IpAddress.tryParse(value) : null;
                    if (value.indexOf('.') >= 0 && (quad == null || !quad.isV4())) {
                        throw CommandException.badArgument(value, "\"key\" expects a number or a dotted quad like 0.0.0.7");
                    }
                    long key = quad != null ? quad.v4bits() & U32 : unsigned(value, word, 0, U32);
                    setPort(s, true, (int) (key >>> 16), 0xFFFF);
                    setPort(s, false, (int) (key & 0xFFFF), 0xFFFF);
                }
            }
        }
        int p = s.proto;
        if (portWord != null && p != 0 && p != TCP && p != UDP && p != SCTP && p != DCCP) {
            throw CommandException.badArgument(portWord, "ports apply to proto tcp, udp, sctp or dccp, not " + protocolName(p));
        }
        if (icmpWord != null && p != ICMP && p != ICMPV6 && p != MOBILITY_HEADER) {
            throw CommandException.badArgument(icmpWord, "type and code apply to proto icmp, ipv6-icmp or mobility-header, not "
                    + (p == 0 ? "any protocol" : protocolName(p)));
        }
        if (keyWord != null && p != GRE) {
            throw CommandException.badArgument(keyWord, "key applies to proto gre, not " + (p == 0 ? "any protocol" : protocolName(p)));
        }
    }

    private static void setPort(SelectorWords s, boolean source, int value, int mask) {
        if (source) {
            s.sportGiven = true;
            s.sport = value;
            s.sportMask = mask;
        } else {
            s.dportGiven = true;
            s.dport = value;
            s.dportMask = mask;
        }
    }

    /** What a selector's UPSPEC means: ICMP type/code and GRE keys live in the port fields. */
    static boolean isIcmp(int proto) {
        return proto == ICMP || proto == ICMPV6 || proto == MOBILITY_HEADER;
    }

    static boolean isGre(int proto) {
        return proto == GRE;
    }
}
