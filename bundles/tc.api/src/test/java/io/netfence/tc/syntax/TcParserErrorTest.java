package io.netfence.tc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.TcException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Refused words: each error names the word at fault and the form tc accepts there. */
class TcParserErrorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // line | the message starts with | and also says
            "filter add dev eth0 ingress protocol ip flower dst_prt 80 | flower: unknown key 'dst_prt': expected one of indev, dst_mac | dst_port",
            "filter add dev eth0 ingress protocol ip flower ct_state +trk | flower: 'ct_state' is not supported | Netfence matches on",
            "filter add dev eth0 ingress protocol ip flower ip_proto 17 dst_port 80 | dst_port: needs an earlier ip_proto tcp, udp or sctp | 0x17",
            "filter add dev eth0 ingress protocol ip flower dst_port 80 ip_proto tcp | dst_port: needs an earlier ip_proto | tcp, udp or sctp",
            "filter add dev eth0 ingress protocol ipv6 flower ip_proto icmp | ip_proto: invalid 'icmp' | icmpv6",
            "filter add dev eth0 ingress protocol ip flower ip_proto tcp dst_port 80-80 | dst_port: invalid '80-80' | MIN-MAX",
            "filter add dev eth0 ingress protocol ip flower ip_proto tcp dst_port 80/0xff00 | dst_port: '80/0xff00' is not supported | MIN-MAX",
            "filter add dev eth0 ingress protocol ip flower dst_ip 10.0.0.0/255.0.255.0 | dst_ip: invalid '10.0.0.0/255.0.255.0' | IPv4",
            "filter add dev eth0 ingress protocol ip flower dst_ip 2001:db8::1 | dst_ip: invalid '2001:db8::1' | protocol ip",
            "filter add dev eth0 ingress protocol all flower dst_ip 1.2.3.4 | dst_ip: needs protocol ip or ipv6 | vlan_ethtype",
            "filter add dev eth0 ingress protocol ip flower vlan_id 5 | vlan_id: needs protocol 802.1Q or 802.1ad | 802.1ad",
            "filter add dev eth0 ingress protocol 802.1Q flower vlan_id 4096 | vlan_id: invalid '4096' | 0 to 4095",
            "filter add dev eth0 ingress protocol ip flower type 8 | type: needs an earlier ip_proto icmp | icmpv6",
            "filter add dev eth0 ingress protocol ip flower ip_proto icmp type 8/0xf0 | type: '8/0xf0' is not supported | exact",
            "filter add dev eth0 ingress protocol ip flower ip_proto tcp tcp_flags 0x1000 | tcp_flags: invalid '0x1000' | 12 bits",
            "filter add dev eth0 ingress protocol ip flower ip_tos 256 | ip_tos: invalid '256' | 8 bits",
            "filter add dev eth0 ingress protocol ip flower dst_mac 00:11:22:33:44:gg | dst_mac: invalid '00:11:22:33:44:gg' | MAC",
            "filter add dev eth0 ingress protocol ip flower dst_mac 00:11:22:33:44:55/49 | dst_mac: invalid '00:11:22:33:44:55/49' | PREFIXLEN",
            "filter add dev eth0 ingress protocol ip flower indev a/b | indev: invalid 'a/b' | interface name",
            "filter add dev eth0 ingress protocol ip flower classid 1:x | classid: invalid '1:x' | MAJOR:MINOR",
            "filter add dev eth0 ingress protocol ip flower dst_ip | dst_ip: missing value | IPv4 address",
            "filter add dev eth0 ingress protocol ip flower action drop2 | action: unknown kind 'drop2' | gact, mirred",
            "filter add dev eth0 ingress protocol ip flower action ct commit | action: 'ct' is not supported | Netfence runs",
            "filter add dev eth0 ingress protocol ip flower action | action: missing value | an action",
            "filter add dev eth0 ingress protocol ip flower action goto 5 | goto: invalid '5' | goto chain N",
            "filter add dev eth0 ingress protocol ip flower action drop skip_hw | action: 'skip_hw' is not supported | before its actions",
            "filter add dev eth0 ingress protocol ip flower action drop cookie 1234 | action: 'cookie' is not supported | cookies",
            "filter add dev eth0 ingress matchall action pedit munge ip ttl add 255 | ip ttl: add needs pedit ex | only set",
            "filter add dev eth0 ingress matchall action pedit munge ip6 src set ::1 | munge ip6: needs pedit ex | offset",
            "filter add dev eth0 ingress matchall action pedit ex munge ip dport set 5 | munge ip dport: not with pedit ex | tcp|udp dport",
            "filter add dev eth0 ingress matchall action pedit ex munge ip tll set 5 | munge ip: unknown field 'tll' | ttl",
            "filter add dev eth0 ingress matchall action pedit ex munge ipx src set 5 | munge: unknown header 'ipx' | offset OFF",
            "filter add dev eth0 ingress matchall action pedit ex munge ip ttl invert | ip ttl: 'invert' is not supported | set VALUE",
            "filter add dev eth0 ingress matchall action pedit ex munge ip ttl set 256 | ip ttl: value 256 does not fit 8 bits | 8 bits",
            "filter add dev eth0 ingress matchall action pedit ex munge ip tos decrement | ip tos: decrement is only for ip ttl | hoplimit",
            "filter add dev eth0 ingress matchall action pedit ex munge offset 2 u32 set 1 | offset: 32-bit offsets must be multiples of 4 | 4",
            "filter add dev eth0 ingress matchall action pedit ex munge offset 12 u32 at 0 0xff 2 set 1 | offset: 'at' is not supported | variable",
            "filter add dev eth0 ingress matchall action pedit ex | pedit: missing value | munge",
            "filter add dev eth0 ingress matchall action police rate 1bit burst 10k | rate: invalid '1bit' | 8bit",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10q | burst: invalid '10q' | 10k",
            "filter add dev eth0 ingress matchall action police rate 1mbit drop | police rate: missing value | burst BYTES",
            "filter add dev eth0 ingress matchall action police pkts_rate 1000 drop | police pkts_rate: missing value | pkts_burst",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10k avrate 1mbit | police: 'avrate' is not supported | pkts_rate",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10k conform-exceed drop/explode | conform-exceed: invalid 'explode' | pipe",
            "filter add dev eth0 ingress matchall action police rate 1mbit pkts_rate 10 pkts_burst 1 burst 1k | police: rate and pkts_rate cannot be combined | pkts_rate",
            "filter add dev eth0 ingress matchall action vlan push priority 3 | vlan push: missing value | id VLANID",
            "filter add dev eth0 ingress matchall action vlan pop id 5 | vlan pop: invalid 'id' | push and modify",
            "filter add dev eth0 ingress matchall action vlan push id 5 protocol ip | protocol: invalid 'ip' | 802.1ad",
            "filter add dev eth0 ingress matchall action vlan push_eth dst_mac 00:00:00:00:00:01 | vlan: 'push_eth' is not supported | pop, push",
            "filter add dev eth0 ingress matchall action mirred sideways redirect dev eth1 | mirred: invalid 'sideways' | egress or ingress",
            "filter add dev eth0 ingress matchall action mirred egress steal dev eth1 | mirred egress: invalid 'steal' | redirect or mirror",
            "filter add dev eth0 ingress matchall action mirred egress redirect | mirred egress redirect: missing value | dev DEV",
            "filter add dev eth0 ingress matchall action mirred egress redirect index 1 dev eth1 index 2 | mirred: index given twice | index",
            "filter add dev eth0 ingress matchall action gact drop random determ pass 20000 | random determ pass: invalid '20000' | 10000",
            "filter add dev eth0 ingress matchall action gact drop random sometimes pass 2 | random: invalid 'sometimes' | determ or netrand",
            "filter add dev eth0 ingress matchall action csum | csum: missing value | iph",
            "filter add dev eth0 ingress matchall action csum crc32 | csum: invalid 'crc32' | udplite",
            "filter add dev eth0 ingress matchall action skbedit | skbedit: missing value | mark MARK",
            "filter add dev eth0 ingress matchall action skbedit queue_mapping 3 | skbedit: 'queue_mapping' is not supported | priority",
            "filter add dev eth0 ingress matchall action skbedit ptype loopback | ptype: invalid 'loopback' | otherhost",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10k/7 | burst: invalid '10k/7' | power of two",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10k peakrate 2mbit drop | police peakrate: missing value | mtu",
            "filter add dev eth0 ingress matchall action skbedit mark 5/0 | mark: invalid '5/0' | MASK not 0",
            "filter add dev eth0 ingress matchall action sample rate 10 | sample: missing value | group",
            "filter add dev eth0 ingress matchall action sample group 1 | sample: missing value | rate",
            "filter add dev eth0 ingress protocol ip u32 match ip dst 10.0.0.0/33 | match ip dst: invalid '10.0.0.0/33' | prefix",
            "filter add dev eth0 ingress protocol ip u32 match u8 256 0xff at 0 | match u8: invalid '256 ff' | 8 bits",
            "filter add dev eth0 ingress protocol ip u32 match ip dport 80 0xffff match ip dport 81 0xffff | match ip dport: contradicts an earlier match | offset 20",
            "filter add dev eth0 ingress protocol ip u32 match ip tll 5 0xff | match ip: unknown field 'tll' | protocol",
            "filter add dev eth0 ingress protocol ip u32 match ipx src 1.2.3.4 | match: unknown selector 'ipx' | ip6",
            "filter add dev eth0 ingress protocol ip u32 match mark 1 0xff | match: 'mark' is not supported | ether",
            "filter add dev eth0 ingress protocol ip u32 match u32 1 2 at 3 | match u32: offset 3 is not a multiple of 4 | 4",
            "filter add dev eth0 ingress protocol ip u32 divisor 3 | divisor: invalid '3' | power of two",
            "filter add dev eth0 ingress protocol ip u32 divisor 4 | divisor: missing value | handle HT:",
            "filter add dev eth0 ingress protocol ip u32 hashkey mask 0xff at 13 | hashkey at: invalid '13' | multiple of 4",
            "filter add dev eth0 ingress protocol ip u32 offset at 3 mask 0x0f00 shift 6 | offset at: invalid '3' | even",
            "filter add dev eth0 ingress protocol ip u32 ht 800::1 match u32 0 0 | ht: invalid '800::1' | not a filter",
            "filter add dev eth0 ingress protocol ip u32 ht 1000: match u32 0 0 | ht: invalid '1000:' | HT up to fff",
            "filter add dev eth0 ingress protocol ip handle 2::1 u32 ht 1: match u32 0 0 | handle: table 2: does not match ht 1: | ht",
            "filter add dev eth0 ingress protocol ip u32 link 1:2: | link: invalid '1:2' | hash table",
            "filter add dev eth0 ingress protocol ip u32 order 5 ttl | u32: unknown option 'ttl' | hashkey",
            "filter add dev eth0 ingress protocol ip u32 sample u32 0 0 at 0 | sample: missing value | ht HT:",
            "filter add dev eth0 ingress protocol ip u32 ht 1: sample ip src 10.0.0.0/8 divisor 3 | sample divisor: invalid '3' | power of two",
            "filter add dev eth0 ingress protocol ip u32 ht 1: sample ip6 src 2001:db8::/64 | sample: invalid '2 keys' | exactly one key",
            "filter add dev eth0 ingress protocol ip u32 indev eth0 | u32: 'indev' is not supported | match",
            "filter add dev eth0 ingress protocol ip matchall dst_ip 1.2.3.4 | matchall: unknown option 'dst_ip' | skip_sw",
            "filter add dev eth0 ingress protocol ip basic match meta(priority eq 1) | filter: 'basic' is not supported | flower, u32 or matchall",
            "filter add dev eth0 ingress protocol ip flowr | filter: unknown word 'flowr' | flower, u32 or matchall",
            "filter add dev eth0 ingress pref 70000 protocol ip flower | pref: invalid '70000' | 65535",
            "filter add dev eth0 ingress protocol ipx flower | protocol: invalid 'ipx' | 802.1Q",
            "filter add dev eth0 ingress protocol ip protocol ipv6 flower | protocol: given twice | twice",
            "filter add dev eth0 ingress egress flower | parent: 'egress' is a second parent | ingress",
            "filter add dev eth0 parent 1: flower | parent: invalid '1:' | ffff:fff2",
            "filter add dev eth0 root flower | parent: 'root' is not supported | ingress",
            "filter add dev eth0 block 5 flower | block: give either dev DEV or block N | not both",
            "filter add block 0 flower | block: invalid '0' | 4294967295",
            "filter add block 3 ingress flower | ingress: a shared block has no hook | block N alone",
            "filter add dev eth0 flower | filter add dev eth0: missing value | ingress, egress",
            "filter add flower | filter add: missing value | dev DEV ingress|egress, or block N",
            "filter add dev eth0 ingress | filter add: missing value | flower, u32 or matchall",
            "filter add dev eth0 ingress chain 2147483648 matchall | chain: invalid '2147483648' | 2147483647",
            "filter del dev eth0 ingress handle 1 | handle: missing value | filter kind",
            "filter get dev eth0 ingress pref 1 handle 1 flower | filter get: missing value | protocol, prio, handle",
            "filter show dev eth0 ingress flower | filter show: unknown word 'flower' | chain",
            "filter add dev eth0 ingress matchall garbage | matchall: unknown option 'garbage' | action",
            "qdisc add dev eth0 parent ffff:fff1 clsact | clsact: a second parent | drop the parent",
            "qdisc add dev eth0 clsact handle ffff: | qdisc clsact: unknown word 'handle' | ingress_block N",
            "qdisc add dev eth0 handle 1: clsact | handle: invalid '1:' | ffff:",
            "qdisc add dev eth0 ingress_block 0 clsact | ingress_block: invalid '0' | shared block number",
            "qdisc add dev eth0 ingress egress_block 4 | egress_block: the ingress qdisc has no egress hook | clsact",
            "qdisc add dev eth0 root htb | qdisc: 'root' is not supported | clsact and ingress",
            "qdisc add dev eth0 htb | qdisc: 'htb' is not supported | clsact and ingress",
            "qdisc add clsact | qdisc add: missing value | dev DEV",
            "qdisc add dev eth0 | qdisc add: missing value | clsact or ingress",
            "qdisc frobnicate dev eth0 | qdisc: unknown command 'frobnicate' | add, change, replace",
            "chain add dev eth0 ingress chain abc | chain: invalid 'abc' | chain index",
            "chain add dev eth0 ingress chain 3 protocol ip flower | chain: 'protocol' is not supported | templates",
            "chain add dev eth0 | chain add dev eth0: missing value | ingress, egress",
            "actions add action gact drop2 | gact: invalid 'drop2' | a control",
            "actions get action gact | actions get action gact: missing value | index N",
            "actions add action gact index 3 | actions add: 'gact index 3' names an existing action | describe",
            "actions ls action tunnel_key | actions show action: unknown kind 'tunnel_key' | mirred",
            "actions ls gact | actions show: invalid 'gact' | action KIND",
            "actions | actions: missing value | flush",
            "class show dev eth0 | tc: 'class' is not supported | no classes",
            "monitor | tc: unknown object 'monitor' | qdisc, filter, chain or actions",
            "-x qdisc show | tc: unknown option '-x' | -s",
            "qdisc show dev eth0 extra | qdisc: unknown word 'extra' | clsact or ingress",
    })
    void errorNamesTheWordAndTheForm(String line, String start, String alsoSays) {
        TcException e = assertThrows(TcException.class, () -> TcParser.parseLine(line));
        assertTrue(e.getMessage().startsWith(start), () -> "message: " + e.getMessage());
        assertTrue(e.getMessage().contains(alsoSays), () -> "message: " + e.getMessage());
    }

    @Test
    void modelRulesStillApply() {
        TcException skip = assertThrows(TcException.class,
                () -> TcParser.parseLine("filter add dev eth0 ingress protocol ip flower skip_sw skip_hw"));
        assertEquals("skip_sw: cannot be combined with skip_hw", skip.getMessage());
        TcException peak = assertThrows(TcException.class,
                () -> TcParser.parseLine("filter add dev eth0 ingress matchall action police pkts_rate 10 pkts_burst 5 mtu 2k peakrate 1mbit"));
        assertTrue(peak.getMessage().startsWith("police peakrate: missing value"), peak.getMessage());
    }

    @Test
    void emptyCommandAsksForAnObject() {
        TcException e = assertThrows(TcException.class, () -> TcParser.parse(List.of()));
        assertEquals("tc: missing value: expected qdisc, filter, chain or actions", e.getMessage());
    }

    @Test
    void objectsWithoutATcFormAreRefusedByTheCanonicalPrinter() {
        TcException redirect = assertThrows(TcException.class,
                () -> TcPrinter.toCommand(new MirredAction(1, Control.PIPE, false, true, "eth1")));
        assertTrue(redirect.getMessage().startsWith("mirred redirect: tc has no control word"), redirect.getMessage());
        TcException reference = assertThrows(TcException.class, () -> TcPrinter.toCommand(new ActionRef("gact", 2)));
        assertTrue(reference.getMessage().contains("'gact index 2' refers to an action"), reference.getMessage());
        PeditAction unreachable = new PeditAction(0, Control.OK,
                List.of(new PeditAction.Key(PeditAction.Header.TCP, 8, 1, 0xFFFF_FF00, PeditAction.Cmd.SET)));
        TcException pedit = assertThrows(TcException.class, () -> TcPrinter.toCommand(unreachable));
        assertTrue(pedit.getMessage().startsWith("pedit: key at tcp+8"), pedit.getMessage());
    }
}
