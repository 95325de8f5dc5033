package io.netfence.shell.tc;

/** {@code tc help} and {@code tc OBJECT help}: the forms this appliance accepts, as tc(8) gives them. */
final class TcHelp {
    static final String TEXT = """
            Usage: tc [ OPTIONS ] OBJECT { COMMAND | help }
                   tc [-force] -batch FILE
            where  OBJECT := { qdisc | filter | chain | actions }
                   OPTIONS := { -s[tatistics] | -d[etails] | -j[son] | -p[retty] }

            Traffic control as Linux tc does it, on the appliance's ports (xfrm interfaces included):
            a clsact (or ingress) qdisc gives a port its ingress and egress hooks; filters in chains,
            by priority, classify with flower, u32 or matchall and run action lists; the first match
            wins. The software backend runs every filter without skip_sw; offload devices take those
            without skip_hw, and -s statistics are the sum of both.

            tc qdisc help | tc filter help | tc chain help | tc actions help for each object.
            -batch FILE runs a file of tc commands (without the leading "tc"; - is standard input),
            stopping at the first error with its line number unless -force is given; consecutive
            filter adds are loaded as one change.""";

    private static final String QDISC = """
            Usage: tc qdisc { add | change | replace } dev DEV [ ingress_block N ] [ egress_block N ] { clsact | ingress }
                   tc qdisc del dev DEV [ clsact | ingress ]
                   tc qdisc show [ dev DEV ]
            clsact gives DEV an ingress and an egress hook (handle ffff:, parent ffff:fff1); ingress
            only the ingress hook. ingress_block N / egress_block N make the hook use shared block N,
            whose filters then serve every port that names it. Deleting the qdisc deletes the filters
            of its own blocks; deleting the port deletes its qdisc.""";

    private static final String FILTER = """
            Usage: tc filter { add | change | replace } { dev DEV { ingress | egress | parent ffff:fff2 | parent ffff:fff3 } | block N }
                          [ chain N ] [ protocol PROTO ] [ prio N ] [ handle H ] KIND [ OPTIONS ] [ skip_sw | skip_hw ]
                          [ action ACTION [ CONTROL ] [ index N ] ]...
                   tc filter del { dev DEV [ ingress | egress ] | block N } [ chain N ] [ protocol PROTO ] [ prio N [ handle H KIND ] ]
                   tc filter get { dev DEV { ingress | egress } | block N } [ chain N ] protocol PROTO prio N handle H KIND
                   tc [ -s ] [ -j ] filter show [ dev DEV [ ingress | egress ] | block N ] [ chain N ] [ prio N ]
            KIND := flower KEYS | u32 MATCHES | matchall
            flower KEYS: indev DEV, dst_mac|src_mac MAC[/MASK], vlan_id N, vlan_prio N, vlan_ethtype PROTO,
                   ip_proto tcp|udp|sctp|icmp|icmpv6|N, src_ip|dst_ip ADDR[/LEN|/MASK], src_port|dst_port N|MIN-MAX,
                   tcp_flags VAL[/MASK], ip_tos VAL[/MASK], ip_ttl VAL[/MASK], type N, code N (icmp, icmpv6)
            u32 MATCHES: match ip|ip6 src|dst PREFIX, match ip sport|dport|protocol|tos VAL MASK,
                   match tcp|udp src|dst VAL MASK, match u32|u16|u8 VAL MASK at [nexthdr+]OFF,
                   ht ID:[BUCKET:], link ID:, hashkey mask M at OFF, divisor N, offset at OFF mask M shift S
            ACTION := gact CONTROL | mirred { egress | ingress } { redirect | mirror } dev DEV
                   | vlan { pop | push id N [ protocol 802.1Q|802.1ad ] [ priority P ] | modify id N [ priority P ] }
                   | pedit [ex] munge { eth | ip | ip6 | tcp | udp } FIELD { set | add } VAL ... | csum { iph | icmp | tcp | udp } [ and ... ]
                   | skbedit [ mark M[/MASK] ] [ priority X:Y ] | police rate R burst B [ mtu M ] [ conform-exceed EXCEED[/CONFORM] ]
                   | police pkts_rate R pkts_burst N | sample rate N group G [ trunc SIZE ] | KIND index N
            CONTROL := pass | ok | drop | shot | pipe | continue | reclassify | goto chain N | jump N | trap
            skip_sw: only in a device (refused when no device under the block can take it); skip_hw: only
            in software. show prints in_hw in_hw_count N, or not_in_hw with the reason.""";

    private static final String CHAIN = """
            Usage: tc chain { add | del } { dev DEV { ingress | egress } | block N } [ chain N ]
                   tc chain show { dev DEV { ingress | egress } | block N } [ chain N ]
            Chain 0 is where classification starts; goto chain N continues in chain N. A chain
            exists once a filter or tc chain add puts it there; one an action jumps to cannot be deleted.""";

    private static final String ACTIONS = """
            Usage: tc actions { add | change | replace } action ACTION [ CONTROL ] [ index N ] [ action ... ]
                   tc actions { del | get } action KIND index N [ action ... ]
                   tc [ -s ] actions { show | list } action KIND
                   tc actions flush action KIND
            Shared actions: a filter binds one with "action KIND index N"; its counters are shared by every
            filter that binds it, and it cannot be deleted while bound.""";

    private TcHelp() {
    }

    static String forObject(String object) {
        return switch (object) {
            case "qdisc" -> QDISC;
            case "filter" -> FILTER;
            case "chain" -> CHAIN;
            case "actions", "action" -> ACTIONS;
            default -> TEXT;
        };
    }
}
