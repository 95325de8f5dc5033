package io.netfence.tc.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every flower key, u32 selector, matchall option and action kind: parsed, printed as its
 * canonical command, parsed again to an equal object, and the canonical command is stable.
 */
class TcRoundTripTest {
    private static final String FLOWER = "filter add dev eth0 ingress protocol ip pref 1 flower ";

    @ParameterizedTest
    @ValueSource(strings = {
            // flower keys
            FLOWER + "indev eth1",
            FLOWER + "dst_mac 00:11:22:33:44:55",
            FLOWER + "src_mac 00:11:22:33:44:55/24",
            FLOWER + "dst_mac 01:00:5e:00:00:00/ff:ff:ff:80:00:00",
            "filter add dev eth0 ingress protocol 802.1Q flower vlan_id 100",
            "filter add dev eth0 ingress protocol 802.1Q flower vlan_prio 7",
            "filter add dev eth0 ingress protocol 802.1ad flower vlan_id 1 vlan_prio 2 vlan_ethtype ipv4 dst_ip 1.2.3.4",
            "filter add dev eth0 ingress protocol 802.1Q flower vlan_ethtype ipv6 src_ip 2001:db8::/32",
            FLOWER + "ip_proto tcp",
            FLOWER + "ip_proto udp",
            FLOWER + "ip_proto sctp",
            FLOWER + "ip_proto icmp",
            "filter add dev eth0 ingress protocol ipv6 flower ip_proto icmpv6",
            FLOWER + "ip_proto 2f",
            FLOWER + "dst_ip 10.0.0.0/8",
            FLOWER + "src_ip 10.1.2.3",
            FLOWER + "src_ip 192.168.0.0/255.255.0.0",
            "filter add dev eth0 ingress protocol ipv6 flower dst_ip 2001:db8::1 src_ip fe80::/10",
            "filter add dev eth0 ingress protocol ipv6 flower dst_ip ::ffff:10.0.0.1",
            FLOWER + "ip_proto tcp dst_port 80",
            FLOWER + "ip_proto udp src_port 1024-65535",
            FLOWER + "ip_proto sctp dst_port 1-2 src_port 3",
            FLOWER + "ip_proto tcp tcp_flags 0x2",
            FLOWER + "ip_proto tcp tcp_flags 2/12",
            FLOWER + "ip_tos 16",
            FLOWER + "ip_tos 0x10/0xfc",
            FLOWER + "ip_ttl 64/f0",
            FLOWER + "ip_proto icmp type 8 code 0",
            "filter add dev eth0 ingress protocol ipv6 flower ip_proto icmpv6 type 135",
            FLOWER + "skip_sw dst_ip 1.1.1.1",
            FLOWER + "skip_hw classid 1:10",
            FLOWER + "classid :1",
            FLOWER + "verbose ip_proto tcp",
            "filter add dev eth0 ingress flower dst_mac 00:11:22:33:44:55",
            "filter add dev eth0 egress protocol arp chain 3 pref 7 handle 0x9 flower",
            "filter add block 10 protocol ip pref 25 flower dst_ip 192.168.0.0/16",
            "filter add dev eth0 parent ffff: protocol ip flower dst_ip 1.2.3.4",
            "filter add dev eth0 parent ffff:fff3 protocol all flower",
            // u32 selectors
            "filter add dev eth0 ingress protocol ip u32 match ip src 192.168.8.0/24 classid 1:1",
            "filter add dev eth0 ingress protocol ip u32 match ip dst 10.0.0.1 match ip sport 80 0xffff match ip dport 22 0xffff",
            "filter add dev eth0 ingress protocol ip u32 match ip protocol 6 0xff match ip tos 0x10 0xff match ip ihl 5 0x0f",
            "filter add dev eth0 ingress protocol ip u32 match ip dsfield 0xb8 0xfc",
            "filter add dev eth0 ingress protocol ip u32 match ip precedence 0xa0 0xe0",
            "filter add dev eth0 ingress protocol ip u32 match ip nofrag",
            "filter add dev eth0 ingress protocol ip u32 match ip firstfrag match ip icmp_type 8 0xff match ip icmp_code 0 0xff",
            "filter add dev eth0 ingress protocol ip u32 match ip df match ip mf",
            "filter add dev eth0 ingress protocol ipv6 u32 match ip6 src 2001:db8::1 match ip6 dst 2001:db8:1::/48",
            "filter add dev eth0 ingress protocol ipv6 u32 match ip6 sport 53 0xffff match ip6 dport 53 0xffff match ip6 protocol 17 0xff",
            "filter add dev eth0 ingress protocol ipv6 u32 match ip6 priority 0x10 0xff match ip6 flowlabel 0x12345 0xfffff",
            "filter add dev eth0 ingress protocol ipv6 u32 match ip6 icmp_type 128 0xff",
            "filter add dev eth0 ingress protocol ip u32 match tcp src 22 0xffff match tcp dst 80 0xffff",
            "filter add dev eth0 ingress protocol ip u32 match udp dst 4789 0xffff",
            "filter add dev eth0 ingress protocol ip u32 match icmp type 8 0xff match icmp code 0 0xff",
            "filter add dev eth0 ingress protocol ip u32 match u32 0x0a000001 0xffffffff at 16",
            "filter add dev eth0 ingress protocol ip u32 match u16 0x1fff 0x1fff at 6",
            "filter add dev eth0 ingress protocol ip u32 match u8 0x45 0xff at 0 match u8 6 0xff at nexthdr+9",
            "filter add dev eth0 ingress protocol all u32 match ether dst 00:11:22:33:44:55 match ether src 66:77:88:99:aa:bb",
            "filter add dev eth0 ingress protocol ip handle 1: u32 divisor 256",
            "filter add dev eth0 ingress protocol ip u32 ht 1: match tcp src 22 FFFF classid 1:2",
            "filter add dev eth0 ingress protocol ip u32 ht 1:2: match ip src 10.0.0.0/8",
            "filter add dev eth0 ingress protocol ip u32 link 1: hashkey mask 0x0000ff00 at 12 match ip src 192.168.0.0/16",
            "filter add dev eth0 ingress protocol ip u32 match ip protocol 6 FF offset at 0 mask 0f00 shift 6 link 1:",
            "filter add dev eth0 ingress protocol ip u32 offset plus 20 eat match tcp dst 80 0xffff",
            "filter add dev eth0 ingress protocol ip handle 800::5 u32 match u32 0 0 skip_hw",
            "filter add dev eth0 ingress protocol ip u32 order 7 match u32 0 0 skip_sw",
            "filter add dev eth0 ingress protocol ip u32 match u32 0 0 police rate 1mbit burst 10k drop flowid :1",
            // matchall
            "filter add dev eth0 ingress matchall",
            "filter add dev eth0 egress matchall skip_sw classid 1:1",
            "filter add block 3 chain 2 matchall skip_hw",
            // actions
            "filter add dev eth0 ingress matchall action drop",
            "filter add dev eth0 ingress matchall action gact pass",
            "filter add dev eth0 ingress matchall action ok action shot action pipe action continue action reclassify action trap",
            "filter add dev eth0 ingress matchall action goto chain 5",
            "filter add dev eth0 ingress matchall action jump 2 action drop action pass",
            "filter add dev eth0 ingress matchall action gact drop random determ pass 10 index 4",
            "filter add dev eth0 ingress matchall action drop random netrand ok 100",
            "filter add dev eth0 ingress matchall action gact index 3",
            "filter add dev eth0 ingress matchall action mirred egress redirect dev ipsec0",
            "filter add dev eth0 ingress matchall action mirred ingress redirect dev eth1 index 7",
            "filter add dev eth0 ingress matchall action mirred egress mirror dev eth1",
            "filter add dev eth0 ingress matchall action mirred ingress mirror index 2 dev eth1 continue",
            "filter add dev eth0 ingress matchall action mirred index 9",
            "filter add dev eth0 ingress matchall action vlan pop",
            "filter add dev eth0 ingress matchall action vlan pop reclassify index 3",
            "filter add dev eth0 ingress matchall action vlan push id 123",
            "filter add dev eth0 ingress matchall action vlan push id 100 protocol 802.1ad priority 3 pass",
            "filter add dev eth0 ingress matchall action vlan modify id 20 priority 2",
            "filter add dev eth0 ingress matchall action vlan index 5",
            "filter add dev eth0 ingress matchall action pedit munge ip src set 10.0.0.1",
            "filter add dev eth0 ingress matchall action pedit munge ip dst set 198.51.100.1 pipe",
            "filter add dev eth0 ingress matchall action pedit munge ip ttl set 64 munge ip tos set 0x10",
            "filter add dev eth0 ingress matchall action pedit munge ip dport set 22 munge ip sport set 23",
            "filter add dev eth0 ingress matchall action pedit munge ip ttl set 64 retain 0xf0",
            "filter add dev eth0 ingress matchall action pedit munge offset 12 u32 set 0x0a000001 retain 0xffff",
            "filter add dev eth0 ingress matchall action pedit munge offset 9 u8 set 17 munge offset 2 u16 set 1500",
            "filter add dev eth0 ingress matchall action pedit ex munge offset 8 u32 add 0x01000000",
            "filter add dev eth0 ingress matchall action pedit ex munge ip ttl add 255",
            "filter add dev eth0 ingress matchall action pedit ex munge ip ttl decrement",
            "filter add dev eth0 ingress matchall action pedit ex munge ip dsfield set 0xb8 retain 0xfc",
            "filter add dev eth0 ingress matchall action pedit ex munge ip protocol set 17 munge ip ihl set 5",
            "filter add dev eth0 ingress matchall action pedit ex munge ip src set 10.0.0.1 munge ip dst set 10.0.0.2",
            "filter add dev eth0 ingress matchall action pedit ex munge ip6 src set 2001:db8::1 munge ip6 dst set fe80::1",
            "filter add dev eth0 ingress matchall action pedit ex munge ip6 hoplimit set 64 munge ip6 nexthdr set 17",
            "filter add dev eth0 ingress matchall action pedit ex munge ip6 hoplimit decrement",
            "filter add dev eth0 ingress matchall action pedit ex munge ip6 payload_len set 100 munge ip6 flow_lbl set 5",
            "filter add dev eth0 ingress matchall action pedit ex munge eth dst set 11:22:33:44:55:66",
            "filter add dev eth0 ingress matchall action pedit ex munge eth src set 00:11:22:33:44:55 munge eth type set 0x0800",
            "filter add dev eth0 ingress matchall action pedit ex munge tcp sport set 22 munge tcp dport set 80 munge tcp flags set 2",
            "filter add dev eth0 ingress matchall action pedit ex munge udp sport set 53 munge udp dport set 4500 continue index 6",
            "filter add dev eth0 ingress matchall action pedit ex munge ip dst clear",
            "filter add dev eth0 ingress matchall action pedit pedit munge ip dport set 22",
            "filter add dev eth0 ingress matchall action pedit index 8",
            "filter add dev eth0 ingress matchall action csum iph",
            "filter add dev eth0 ingress matchall action csum ip4h and icmp and igmp and tcp and udp and udplite and sctp pipe",
            "filter add dev eth0 ingress matchall action csum ip and udp",
            "filter add dev eth0 ingress matchall action csum index 4",
            "filter add dev eth0 ingress matchall action skbedit mark 5",
            "filter add dev eth0 ingress matchall action skbedit mark 0x10/0xff",
            "filter add dev eth0 ingress matchall action skbedit priority 1:10",
            "filter add dev eth0 ingress matchall action skbedit priority 1:10 mark 7 drop index 2",
            "filter add dev eth0 ingress matchall action skbedit index 2",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10k",
            "filter add dev eth0 ingress matchall action police rate 1mbit burst 10k drop",
            "filter add dev eth0 ingress matchall action police rate 100kbit burst 1500 mtu 2k conform-exceed drop/pipe",
            "filter add dev eth0 ingress matchall action police rate 1.5mbit burst 64kb conform-exceed drop / ok index 3",
            "filter add dev eth0 ingress matchall action police rate 10Mbps burst 1m conform-exceed goto chain 4",
            "filter add dev eth0 ingress matchall action police rate 1gbit buffer 1mb mtu 9000 pass",
            "filter add dev eth0 ingress matchall action police pkts_rate 1000 pkts_burst 200 conform-exceed drop/ok",
            "filter add dev eth0 ingress matchall action police index 1",
            "filter add dev eth0 ingress matchall action sample rate 100 group 12",
            "filter add dev eth0 ingress matchall action sample rate 100 group 12 trunc 128 continue index 19",
            "filter add dev eth0 ingress matchall action sample group 3 rate 7",
            "filter add dev eth0 ingress matchall action sample index 19",
            "filter add dev eth0 ingress matchall action drop no_percpu action pass",
            "filter add dev eth0 ingress matchall actions drop",
            "filter add dev eth0 ingress protocol ip flower dst_ip 10.20.0.0/16 action mirred egress redirect dev ipsec0 classid 1:1",
            "filter add dev eth0 ingress protocol ip flower action pedit munge ip dst set 1.2.3.4 pipe csum ip and udp pipe mirred egress redirect dev eth1",
            "filter replace dev eth0 ingress protocol ip pref 1 handle 0x1 flower dst_ip 1.1.1.1 action drop",
    })
    void filterReadsBackFromItsCanonicalCommand(String line) {
        Filter parsed = filterOf(line);
        String canonical = TcPrinter.toCommand(parsed);
        assertEquals(parsed, filterOf(canonical), () -> "canonical: " + canonical);
        assertEquals(canonical, TcPrinter.toCommand(filterOf(canonical)), "the canonical command is a fixed point");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "actions add action gact drop index 5",
            "actions add action mirred egress redirect dev ipsec0 index 1",
            "actions add action vlan push id 5 protocol 802.1ad",
            "actions add action pedit ex munge ip ttl add 255 index 2",
            "actions add action csum iph and tcp",
            "actions add action skbedit mark 7/0xf",
            "actions add action police rate 8mbit burst 100k conform-exceed drop index 1",
            "actions add action sample rate 10 group 1 trunc 64",
    })
    void sharedActionReadsBackFromItsCanonicalCommand(String line) {
        Action parsed = actionOf(line);
        String canonical = TcPrinter.toCommand(parsed);
        assertEquals(parsed, actionOf(canonical), () -> "canonical: " + canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "qdisc add dev eth0 clsact",
            "qdisc add dev eth0 ingress",
            "qdisc add dev eth0 handle ffff: ingress",
            "qdisc add dev eth0 ingress_block 10 egress_block 11 clsact",
            "qdisc add dev eth0 clsact egress_block 3",
            "qdisc add dev eth0 ingress_block 22 ingress",
    })
    void qdiscReadsBackFromItsCanonicalCommand(String line) {
        Qdisc qdisc = assertInstanceOf(QdiscCmd.class, TcParser.parseLine(line)).qdisc();
        String canonical = TcPrinter.toCommand(qdisc);
        assertEquals(qdisc, assertInstanceOf(QdiscCmd.class, TcParser.parseLine(canonical)).qdisc(), () -> "canonical: " + canonical);
    }

    static Filter filterOf(String line) {
        FilterCmd cmd = assertInstanceOf(FilterCmd.class, TcParser.parseLine(line));
        assertNotNull(cmd.filter(), line);
        return cmd.filter();
    }

    static Action actionOf(String line) {
        ActionsCmd cmd = assertInstanceOf(ActionsCmd.class, TcParser.parseLine(line));
        assertEquals(1, cmd.actions().size(), line);
        return cmd.actions().get(0);
    }
}
