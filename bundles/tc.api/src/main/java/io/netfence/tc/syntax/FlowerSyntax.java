package io.netfence.tc.syntax;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.PortRange;
import io.netfence.tc.api.TcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code flower} keys as tc reads and prints them (f_flower.c). Keys are read in order with tc's
 * checks as they come: VLAN keys need protocol 802.1Q/802.1ad, {@code vlan_ethtype} becomes the
 * type later L3 keys are checked against, L3 keys need that type to be ip or ipv6, ports need an
 * earlier {@code ip_proto} of tcp, udp or sctp, ICMP type/code an earlier {@code ip_proto icmp}
 * (ip) or {@code icmpv6} (ipv6). Number bases are tc's: {@code ip_proto} and {@code tcp_flags}
 * hex, {@code ip_tos}/{@code ip_ttl} decimal or hex with a hex mask, the rest decimal.
 */
final class FlowerSyntax {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int SCTP = 132;
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;

    static final String KEYS = "indev, dst_mac, src_mac, vlan_id, vlan_prio, vlan_ethtype, ip_proto, ip_tos, ip_ttl, dst_ip, src_ip, "
            + "dst_port, src_port, tcp_flags, type, code, skip_sw, skip_hw, classid, flowid, verbose or action";
    private static final List<String> OTHER_TC_KEYS = List.of("num_of_vlans", "cvlan_id", "cvlan_prio", "cvlan_ethtype", "pppoe_sid",
            "ppp_proto", "mpls", "mpls_label", "mpls_tc", "mpls_bos", "mpls_ttl", "arp_tip", "arp_sip", "arp_op", "arp_tha", "arp_sha",
            "enc_key_id", "enc_dst_ip", "enc_src_ip", "enc_dst_port", "enc_tos", "enc_ttl", "geneve_opts", "vxlan_opts", "erspan_opts",
            "gtp_opts", "ip_flags", "ct_state", "ct_zone", "ct_mark", "ct_label", "hw_tc", "l2_miss", "spi", "l2tpv3_sid", "cfm");

    private FlowerSyntax() {
    }

    /** The flower options after the word {@code flower}, for a filter of Ethernet type {@code protocol}. */
    static ClassifierOptions parse(Words w, int protocol, String handleWord) {
        long handle = plainHandle(handleWord);
        FlowerMatch.Builder b = FlowerMatch.builder();
        int ethType = protocol;
        boolean skipSw = false;
        boolean skipHw = false;
        long classid = 0;
        List<Action> actions = new ArrayList<>();
        while (!w.atEnd()) {
            String key = w.peek();
            if (key.equals("action") || key.equals("actions")) {
                actions.addAll(ActionSyntax.parseList(w));
                continue;
            }
            w.next();
            switch (key) {
                case "classid", "flowid" -> classid = classid(w, key);
                case "skip_sw" -> skipSw = true;
                case "skip_hw" -> skipHw = true;
                case "verbose" -> {
                    // Only asks the kernel for offload error messages; Netfence always gives its reason.
                }
                case "indev" -> b.indev = ifname(w, key);
                case "vlan_id" -> {
                    requireVlan(protocol, key);
                    b.vlanId = (int) w.unsigned(key, 10, 4095, "a VLAN id from 0 to 4095");
                }
                case "vlan_prio" -> {
                    requireVlan(protocol, key);
                    b.vlanPrio = (int) w.unsigned(key, 10, 7, "a priority from 0 to 7");
                }
                case "vlan_ethtype" -> {
                    requireVlan(ethType, key);
                    String type = w.value(key, "ipv4, ipv6 or an Ethernet type");
                    b.vlanEthType = EtherTypes.parse(type);
                    if (b.vlanEthType < 0) {
                        throw Words.invalid(key, type, "ipv4, ipv6 or an Ethernet type");
                    }
                    ethType = b.vlanEthType;
                }
                case "dst_mac" -> b.dstMac = mac(w, key);
                case "src_mac" -> b.srcMac = mac(w, key);
                case "ip_proto" -> b.ipProto = ipProto(w, ethType);
                case "ip_tos" -> b.ipTos = tosTtl(w, key);
                case "ip_ttl" -> b.ipTtl = tosTtl(w, key);
                case "dst_ip" -> b.dstIp = ip(w, key, ethType);
                case "src_ip" -> b.srcIp = ip(w, key, ethType);
                case "dst_port" -> b.dstPort = port(w, key, b.ipProto);
                case "src_port" -> b.srcPort = port(w, key, b.ipProto);
                case "tcp_flags" -> b.tcpFlags = tcpFlags(w);
                case "type" -> b.icmpType = icmp(w, key, ethType, b.ipProto);
                case "code" -> b.icmpCode = icmp(w, key, ethType, b.ipProto);
                default -> {
                    if (OTHER_TC_KEYS.contains(key)) {
                        throw Words.unsupported("flower", key, "Netfence matches on " + KEYS);
                    }
                    throw Words.unknown("flower", "key", key, "one of " + KEYS);
                }
            }
        }
        return new ClassifierOptions(b.build(), handle, skipSw, skipHw, classid, actions);
    }

    /** A flower or matchall handle: a 32-bit number, C base rules. */
    static long plainHandle(String word) {
        if (word == null) {
            return 0;
        }
        long h = Words.parseUnsigned(word, 0);
        if (h < 0 || h > 0xFFFF_FFFFL) {
            throw Words.invalid("handle", word, "a 32-bit number");
        }
        return h;
    }

    static long classid(Words w, String keyword) {
        String word = w.value(keyword, "a class id MAJOR:MINOR (hex)");
        long classid = Addresses.classid(word);
        if (classid < 0) {
            throw Words.invalid(keyword, word, "a class id MAJOR:MINOR (hex)");
        }
        return classid;
    }

    /** An interface name as the kernel allows it (check_ifname). */
    private static String ifname(Words w, String keyword) {
        String name = w.value(keyword, "an interface name");
        if (name.length() > 15 || name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ')) {
            throw Words.invalid(keyword, name, "an interface name (1 to 15 characters, no '/', ':' or blanks)");
        }
        return name;
    }

    private static void requireVlan(int ethType, String key) {
        if (ethType != EtherTypes.VLAN && ethType != EtherTypes.QINQ) {
            throw new TcException(key + ": needs protocol 802.1Q or 802.1ad");
        }
    }

    private static Masked mac(Words w, String key) {
        String form = "a MAC address, with /PREFIXLEN or /MASK";
        String word = w.value(key, form);
        int slash = word.indexOf('/');
        long mac = Addresses.mac(slash < 0 ? word : word.substring(0, slash));
        long mask = 0xFFFF_FFFF_FFFFL;
        if (slash >= 0) {
            String m = word.substring(slash + 1);
            long bits = m.chars().allMatch(Character::isDigit) && !m.isEmpty() ? Long.parseLong(m) : -1;
            if (bits >= 0) {
                mask = bits > 48 ? -1 : bits == 0 ? 0 : (0xFFFF_FFFF_FFFFL << (48 - bits)) & 0xFFFF_FFFF_FFFFL;
            } else {
                mask = Addresses.mac(m);
            }
        }
        if (mac < 0 || mask < 0) {
            throw Words.invalid(key, word, form);
        }
        return Masked.of(mac, mask);
    }

    private static int ipProto(Words w, int ethType) {
        String word = w.value("ip_proto", "tcp, udp, sctp, icmp, icmpv6 or a hex number");
        if (ethType != EtherTypes.IPV4 && ethType != EtherTypes.IPV6) {
            throw new TcException("ip_proto: needs protocol ip or ipv6 (or vlan_ethtype ipv4|ipv6)");
        }
        return switch (word) {
            case "tcp" -> TCP;
            case "udp" -> UDP;
            case "sctp" -> SCTP;
            case "icmp" -> {
                if (ethType != EtherTypes.IPV4) {
                    throw Words.invalid("ip_proto", word, "icmpv6 with protocol ipv6 (icmp needs protocol ip)");
                }
                yield ICMP;
            }
            case "icmpv6" -> {
                if (ethType != EtherTypes.IPV6) {
                    throw Words.invalid("ip_proto", word, "icmp with protocol ip (icmpv6 needs protocol ipv6)");
                }
                yield ICMPV6;
            }
            default -> {
                // tc reads a numeric ip_proto as hex: "ip_proto 11" is 17 (udp).
                long v = Words.parseUnsigned(word, 16);
                if (v < 0 || v > 255) {
                    throw Words.invalid("ip_proto", word, "tcp, udp, sctp, icmp, icmpv6 or a hex number up to ff");
                }
                yield (int) v;
            }
        };
    }

    /** {@code VALUE[/MASK]}: the value decimal or hex, the mask hex, 8 bits each. */
    private static Masked tosTtl(Words w, String key) {
        String form = "VALUE[/MASK], 8 bits (value decimal or 0x hex, mask hex)";
        String word = w.value(key, form);
        int slash = word.indexOf('/');
        String v = slash < 0 ? word : word.substring(0, slash);
        long value = Words.parseUnsigned(v, 10);
        if (value < 0) {
            value = Words.parseUnsigned(v, 16);
        }
        long mask = slash < 0 ? 0xFF : Words.parseUnsigned(word.substring(slash + 1), 16);
        if (value < 0 || value > 255 || mask < 0 || mask > 255) {
            throw Words.invalid(key, word, form);
        }
        return Masked.of(value, mask);
    }

    private static Masked ip(Words w, String key, int ethType) {
        int family = ethType == EtherTypes.IPV4 ? 4 : ethType == EtherTypes.IPV6 ? 6 : -1;
        if (family < 0) {
            throw new TcException(key + ": needs protocol ip or ipv6 (or vlan_ethtype ipv4|ipv6)");
        }
        String form = family == 4 ? "an IPv4 address or prefix (protocol ip)" : "an IPv6 address or prefix (protocol ipv6)";
        String word = w.value(key, form);
        Addresses.Prefix p = Addresses.prefix(word, family);
        if (p == null) {
            throw Words.invalid(key, word, form);
        }
        return new Masked(p.hi(), p.lo(), p.maskHi(), p.maskLo());
    }

    private static PortRange port(Words w, String key, int ipProto) {
        String form = "PORT or MIN-MAX (MIN below MAX)";
        String word = w.value(key, form);
        if (ipProto != TCP && ipProto != UDP && ipProto != SCTP) {
            String hint = ipProto < 0 ? "" : String.format(Locale.ROOT, " (ip_proto is 0x%02x: tc reads ip_proto numbers as hex)", ipProto);
            throw new TcException(key + ": needs an earlier ip_proto tcp, udp or sctp" + hint);
        }
        if (word.indexOf('/') >= 0) {
            throw Words.unsupported(key, word, "port masks; use PORT or MIN-MAX");
        }
        int dash = word.indexOf('-');
        long min = Words.parseUnsigned(dash < 0 ? word : word.substring(0, dash), 10);
        long max = dash < 0 ? min : Words.parseUnsigned(word.substring(dash + 1), 10);
        if (min < 0 || max < 0 || min > 0xFFFF || max > 0xFFFF || (dash >= 0 && max <= min)) {
            throw Words.invalid(key, word, form);
        }
        return new PortRange((int) min, (int) max);
    }

    private static Masked tcpFlags(Words w) {
        String form = "FLAGS[/MASK], hex, 12 bits";
        String word = w.value("tcp_flags", form);
        int slash = word.indexOf('/');
        long flags = Words.parseUnsigned(slash < 0 ? word : word.substring(0, slash), 16);
        long mask = slash < 0 ? 0xFFF : Words.parseUnsigned(word.substring(slash + 1), 16);
        if (flags < 0 || flags > 0xFFF || mask < 0 || mask > 0xFFF) {
            throw Words.invalid("tcp_flags", word, form);
        }
        return Masked.of(flags, mask);
    }

    private static int icmp(Words w, String key, int ethType, int ipProto) {
        String word = w.value(key, "a number from 0 to 255");
        if (!(ethType == EtherTypes.IPV4 && ipProto == ICMP) && !(ethType == EtherTypes.IPV6 && ipProto == ICMPV6)) {
            throw new TcException(key + ": needs an earlier ip_proto icmp (protocol ip) or icmpv6 (protocol ipv6)");
        }
        if (word.indexOf('/') >= 0) {
            throw Words.unsupported(key, word, "ICMP " + key + " masks; give the exact value");
        }
        long v = Words.parseUnsigned(word, 10);
        if (v < 0 || v > 255) {
            throw Words.invalid(key, word, "a number from 0 to 255");
        }
        return (int) v;
    }

    // ---------------------------------------------------------------- canonical words

    /** The keys as words, in an order tc reads back (VLAN keys, then ip_proto, then what depends on them). */
    static String spec(FlowerMatch m, int protocol) {
        List<String> out = new ArrayList<>();
        int l3 = l3(m, protocol);
        if (m.indev() != null) {
            out.add("indev " + m.indev());
        }
        if (m.vlanId() >= 0) {
            out.add("vlan_id " + m.vlanId());
        }
        if (m.vlanPrio() >= 0) {
            out.add("vlan_prio " + m.vlanPrio());
        }
        if (m.vlanEthType() != 0) {
            out.add("vlan_ethtype " + (m.vlanEthType() == EtherTypes.IPV4 ? "ipv4" : EtherTypes.name(m.vlanEthType())));
        }
        if (!m.dstMac().isAny()) {
            out.add("dst_mac " + macText(m.dstMac()));
        }
        if (!m.srcMac().isAny()) {
            out.add("src_mac " + macText(m.srcMac()));
        }
        if (m.ipProto() >= 0) {
            out.add("ip_proto " + ipProtoText(m.ipProto(), "0x%02x"));
        }
        if (!m.ipTos().isAny()) {
            out.add("ip_tos " + byteText(m.ipTos()));
        }
        if (!m.ipTtl().isAny()) {
            out.add("ip_ttl " + byteText(m.ipTtl()));
        }
        if (!m.dstIp().isAny()) {
            out.add("dst_ip " + ipText(m.dstIp(), l3));
        }
        if (!m.srcIp().isAny()) {
            out.add("src_ip " + ipText(m.srcIp(), l3));
        }
        if (m.dstPort() != null) {
            out.add("dst_port " + m.dstPort());
        }
        if (m.srcPort() != null) {
            out.add("src_port " + m.srcPort());
        }
        if (!m.tcpFlags().isAny()) {
            out.add("tcp_flags 0x" + Long.toHexString(m.tcpFlags().lo())
                    + (m.tcpFlags().maskLo() == 0xFFF ? "" : "/0x" + Long.toHexString(m.tcpFlags().maskLo())));
        }
        if (m.icmpType() >= 0) {
            out.add("type " + m.icmpType());
        }
        if (m.icmpCode() >= 0) {
            out.add("code " + m.icmpCode());
        }
        return String.join(" ", out);
    }

    /** The type L3 keys are read against: the protocol, or behind a VLAN tag the vlan_ethtype. */
    private static int l3(FlowerMatch m, int protocol) {
        return protocol == EtherTypes.VLAN || protocol == EtherTypes.QINQ ? m.vlanEthType() : protocol;
    }

    private static String ipProtoText(int proto, String otherFormat) {
        return switch (proto) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case SCTP -> "sctp";
            case ICMP -> "icmp";
            case ICMPV6 -> "icmpv6";
            default -> String.format(Locale.ROOT, otherFormat, proto);
        };
    }

    private static String byteText(Masked m) {
        return m.lo() + (m.maskLo() == 0xFF ? "" : "/0x" + Long.toHexString(m.maskLo()));
    }

    /** {@code aa:bb:cc:dd:ee:ff}, then {@code /LEN} for a prefix mask or {@code /MASK} otherwise. */
    private static String macText(Masked m) {
        String text = Addresses.formatMac(m.lo());
        long mask = m.maskLo();
        if (mask == 0xFFFF_FFFF_FFFFL) {
            return text;
        }
        int len = Long.bitCount(mask);
        boolean prefix = mask == ((0xFFFF_FFFF_FFFFL << (48 - len)) & 0xFFFF_FFFF_FFFFL);
        return text + "/" + (prefix ? Integer.toString(len) : Addresses.formatMac(mask));
    }

    private static String ipText(Masked m, int l3) {
        if (l3 == EtherTypes.IPV6) {
            int len = m.prefix128();
            String address = Addresses.formatIpv6(m.hi(), m.lo());
            return len == 128 ? address : address + "/" + len;
        }
        int len = m.prefix32();
        String address = Addresses.formatIpv4(m.lo());
        return len == 32 ? address : address + "/" + len;
    }

    // ---------------------------------------------------------------- show

    /** The key lines of {@code tc filter show} for a flower filter, in flower_print_opt's order; an indev that is gone says so. */
    static void showKeys(Printout p, Filter f, FlowerMatch m, boolean indevGone) {
        if (m.indev() != null) {
            p.nl().any("indev", "  indev %s", m.indev());
            if (indevGone) {
                p.text(" (gone: matches nothing)").member("indev_gone", true);
            }
        }
        p.openObject("keys");
        if (m.vlanId() >= 0) {
            p.nl().any("vlan_id", "  vlan_id %s", m.vlanId());
        }
        if (m.vlanPrio() >= 0) {
            p.nl().any("vlan_prio", "  vlan_prio %s", m.vlanPrio());
        }
        if (m.vlanEthType() != 0) {
            p.nl().any("vlan_ethtype", "  vlan_ethtype %s", EtherTypes.name(m.vlanEthType()));
        }
        if (!m.dstMac().isAny()) {
            nameValue(p, "dst_mac", macText(m.dstMac()));
        }
        if (!m.srcMac().isAny()) {
            nameValue(p, "src_mac", macText(m.srcMac()));
        }
        if (f.protocol() != EtherTypes.ALL) {
            p.nl().any("eth_type", "  eth_type %s", switch (f.protocol()) {
                case EtherTypes.IPV4 -> "ipv4";
                case EtherTypes.IPV6 -> "ipv6";
                case EtherTypes.ARP -> "arp";
                default -> String.format(Locale.ROOT, "%04x", f.protocol());
            });
        }
        if (m.ipProto() >= 0) {
            p.nl().any("ip_proto", "  ip_proto %s", ipProtoText(m.ipProto(), "%02x"));
        }
        maskedByte(p, "ip_tos", m.ipTos());
        maskedByte(p, "ip_ttl", m.ipTtl());
        int l3 = l3(m, f.protocol());
        if (!m.dstIp().isAny()) {
            nameValue(p, "dst_ip", ipText(m.dstIp(), l3));
        }
        if (!m.srcIp().isAny()) {
            nameValue(p, "src_ip", ipText(m.srcIp(), l3));
        }
        port(p, "dst_port", m.dstPort());
        port(p, "src_port", m.srcPort());
        if (!m.tcpFlags().isAny()) {
            nameValue(p, "tcp_flags", "0x" + Long.toHexString(m.tcpFlags().lo()) + "/" + Long.toHexString(m.tcpFlags().maskLo()));
        }
        if (m.icmpType() >= 0) {
            nameValue(p, "icmp_type", Integer.toString(m.icmpType()));
        }
        if (m.icmpCode() >= 0) {
            nameValue(p, "icmp_code", Integer.toString(m.icmpCode()));
        }
        p.closeObject();
    }

    /** print_indent_name_value: a line {@code "  name value"}, a string member in JSON. */
    private static void nameValue(Printout p, String name, String value) {
        p.nl().text("  " + name + " ").member(name, value).text(value);
    }

    private static void maskedByte(Printout p, String name, Masked m) {
        if (m.isAny()) {
            return;
        }
        p.nl().text("  " + name + " ").any(name, "%s", m.lo());
        if (m.maskLo() != 0xFF) {
            p.text("/0x" + Long.toHexString(m.maskLo())).member(name + "_mask", Long.toHexString(m.maskLo()));
        }
    }

    private static void port(Printout p, String name, PortRange port) {
        if (port == null) {
            return;
        }
        if (!port.isRange()) {
            p.nl().text("  " + name + " ").any(name, "%s", port.min());
            return;
        }
        p.nl().text("  " + name + " " + port);
        p.openObject(name).member("start", port.min()).member("end", port.max()).closeObject();
    }
}
