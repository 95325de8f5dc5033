package io.netfence.tc.syntax;

import static io.netfence.tc.syntax.TcRoundTripTest.filterOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.ChainCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Show output as tc prints it. The qdisc and chain expectations are iproute2 6.1's own output
 * (captured from a clsact qdisc and chains on a test device); the filter and action lines follow
 * iproute2's print functions (f_flower.c, f_u32.c, m_*.c).
 */
class TcPrinterTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final Qdisc CLSACT = new Qdisc("eth0", Qdisc.Kind.CLSACT, 0, 0);
    private static final Qdisc BLOCKS = new Qdisc("eth0", Qdisc.Kind.CLSACT, 10, 11);
    private static final Qdisc INGRESS = new Qdisc("eth1", Qdisc.Kind.INGRESS, 0, 0);

    private static <T extends TcCommand> T command(Class<T> type, String line) {
        return type.cast(TcParser.parseLine(line));
    }

    // ---------------------------------------------------------------- qdisc and chain (iproute2 6.1 output)

    @Test
    void qdiscText() {
        assertEquals("qdisc clsact ffff: parent ffff:fff1 \n", TcPrinter.show(command(QdiscCmd.class, "qdisc show dev eth0"), List.of(CLSACT)));
        assertEquals("qdisc clsact ffff: parent ffff:fff1 ingress_block 10 egress_block 11 \n",
                TcPrinter.show(command(QdiscCmd.class, "qdisc show dev eth0"), List.of(BLOCKS)));
        assertEquals("qdisc clsact ffff: dev eth0 parent ffff:fff1 ingress_block 10 egress_block 11 \n"
                        + "qdisc ingress ffff: dev eth1 parent ffff:fff1 ---------------- \n",
                TcPrinter.show(command(QdiscCmd.class, "qdisc show"), List.of(BLOCKS, INGRESS)));
        assertEquals("", TcPrinter.show(command(QdiscCmd.class, "qdisc show dev eth0 ingress"), List.of(CLSACT, INGRESS)));
    }

    @Test
    void qdiscStatistics() {
        assertEquals("qdisc clsact ffff: parent ffff:fff1 \n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n",
                TcPrinter.show(command(QdiscCmd.class, "-s qdisc show dev eth0"), List.of(CLSACT)));
    }

    @Test
    void qdiscJson() {
        assertEquals("[{\"kind\":\"clsact\",\"handle\":\"ffff:\",\"parent\":\"ffff:fff1\",\"options\":{}}]\n",
                TcPrinter.show(command(QdiscCmd.class, "-j qdisc show dev eth0"), List.of(CLSACT)));
        assertEquals("[{\"kind\":\"ingress\",\"handle\":\"ffff:\",\"parent\":\"ffff:fff1\",\"options\":{}}]\n",
                TcPrinter.show(command(QdiscCmd.class, "-j qdisc show dev eth1"), List.of(INGRESS)));
        assertEquals("[{\"kind\":\"clsact\",\"handle\":\"ffff:\",\"parent\":\"ffff:fff1\",\"options\":{},\"bytes\":0,\"packets\":0,\"drops\":0,"
                        + "\"overlimits\":0,\"requeues\":0,\"backlog\":0,\"qlen\":0}]\n",
                TcPrinter.show(command(QdiscCmd.class, "-s -j qdisc show dev eth0"), List.of(CLSACT)));
        assertEquals("[]\n", TcPrinter.show(command(QdiscCmd.class, "-j qdisc show dev eth9"), List.of(CLSACT)));
    }

    @Test
    void qdiscPrettyJson() {
        assertEquals("""
                [ {
                        "kind": "clsact",
                        "handle": "ffff:",
                        "parent": "ffff:fff1",
                        "ingress_block": 10,
                        "egress_block": 11,
                        "options": {}
                    } ]
                """, TcPrinter.show(command(QdiscCmd.class, "-j -p qdisc show dev eth0"), List.of(BLOCKS)));
        assertEquals("[ ]\n", TcPrinter.show(command(QdiscCmd.class, "-j -p qdisc show dev eth9"), List.of(CLSACT)));
    }

    @Test
    void chains() {
        assertEquals("chain parent ffff: chain 0 \nchain parent ffff: chain 7 \n",
                TcPrinter.show(command(ChainCmd.class, "chain show dev eth0 egress"), List.of(0, 7)));
        assertEquals("chain chain 3 \n", TcPrinter.show(command(ChainCmd.class, "chain show block 10"), List.of(3)));
        assertEquals("[{\"parent\":\"ffff:\",\"chain\":5}]\n", TcPrinter.show(command(ChainCmd.class, "-j chain show dev eth0 ingress"), List.of(5)));
        assertEquals("[{\"chain\":3}]\n", TcPrinter.show(command(ChainCmd.class, "-j chain show block 10"), List.of(3)));
        assertEquals("chain block 11 chain 7 \n", TcPrinter.show(command(ChainCmd.class, "chain show dev eth0 egress"), List.of(7), 11));
        assertEquals("[{\"block\":11,\"chain\":7}]\n",
                TcPrinter.show(command(ChainCmd.class, "-j chain show dev eth0 egress"), List.of(7), 11));
        assertEquals("""
                [ {
                        "parent": "ffff:",
                        "chain": 0
                    },{
                        "parent": "ffff:",
                        "chain": 7
                    } ]
                """, TcPrinter.show(command(ChainCmd.class, "-j -p chain show dev eth0 egress"), List.of(0, 7)));
    }

    // ---------------------------------------------------------------- filters

    /** The filter of {@code line} as installed: prio/handle given, actions indexed from 1, counters from the arguments. */
    private static FilterInfo installed(String line, int inHwCount, String reason, TcStats software, TcStats hardware) {
        Filter f = filterOf(line);
        List<ActionInfo> actions = new ArrayList<>();
        int index = 1;
        for (Action a : f.actions()) {
            actions.add(new ActionInfo(a.index() == 0 ? a.withIndex(index++) : a, 1, 1, NOW - 10_000, 0, software, hardware));
        }
        return new FilterInfo(f, inHwCount, reason, actions, TcStats.ZERO, TcStats.ZERO);
    }

    @Test
    void flowerWithStatistics() {
        FilterInfo f = installed("filter add dev eth0 ingress protocol ip pref 1 handle 1 flower dst_ip 10.20.0.0/16 action drop", 0,
                "no device under the block", TcStats.ZERO, TcStats.ZERO);
        assertEquals("""
                filter protocol ip pref 1 flower chain 0\s
                filter protocol ip pref 1 flower chain 0 handle 0x1\s
                  eth_type ipv4
                  dst_ip 10.20.0.0/16
                  not_in_hw
                  not_in_hw_reason: no device under the block
                \taction order 1: gact action drop
                \t random type none pass val 0
                \t index 1 ref 1 bind 1 installed 10 sec used 10 sec
                \tAction statistics:
                \tSent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)\s
                \tbacklog 0b 0p requeues 0

                """, TcPrinter.show(command(FilterCmd.class, "-s filter show dev eth0 ingress"), List.of(f), NOW));
    }

    @Test
    void flowerRedirectInHardware() {
        FilterInfo f = installed("filter add dev eth0 ingress protocol ip pref 1 handle 1 flower skip_sw ip_proto udp dst_port 4500 "
                + "src_port 1000-2000 action mirred egress redirect dev ipsec0", 1, null, TcStats.ZERO, TcStats.ZERO);
        assertEquals("""
                filter protocol ip pref 1 flower chain 0\s
                filter protocol ip pref 1 flower chain 0 handle 0x1\s
                  eth_type ipv4
                  ip_proto udp
                  dst_port 4500
                  src_port 1000-2000
                  skip_sw
                  in_hw in_hw_count 1
                \taction order 1: mirred (Egress Redirect to device ipsec0) stolen
                \tindex 1 ref 1 bind 1

                """, TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 ingress"), List.of(f), NOW));
    }

    @Test
    void hardwareCountersAreShownApart() {
        FilterInfo f = installed("filter add dev eth0 egress protocol ip pref 2 handle 3 flower action pass", 1, null,
                new TcStats(1000, 10, 0, 0, NOW - 4000), new TcStats(500, 5, 1, 0, NOW - 2000));
        assertEquals("""
                filter egress protocol ip pref 2 flower chain 0\s
                filter egress protocol ip pref 2 flower chain 0 handle 0x3\s
                  eth_type ipv4
                  in_hw in_hw_count 1
                \taction order 1: gact action pass
                \t random type none pass val 0
                \t index 1 ref 1 bind 1 installed 10 sec used 2 sec
                \tAction statistics:
                \tSent 1500 bytes 15 pkt (dropped 1, overlimits 0 requeues 0)\s
                \tSent software 1000 bytes 10 pkt
                \tSent hardware 500 bytes 5 pkt
                \tbacklog 0b 0p requeues 0

                """, TcPrinter.show(command(FilterCmd.class, "-s filter show dev eth0"), List.of(f), NOW));
    }

    @Test
    void flowerKeysInTcOrder() {
        FilterInfo f = installed("filter add dev eth0 ingress protocol 802.1Q pref 3 handle 2 flower indev eth1 vlan_id 100 vlan_prio 3 "
                + "vlan_ethtype ipv4 dst_mac 00:11:22:33:44:55/24 ip_proto tcp ip_tos 0x10/0xfc dst_ip 1.2.3.4 tcp_flags 0x2/0x12 classid 1:1",
                0, null, TcStats.ZERO, TcStats.ZERO);
        assertEquals("""
                filter protocol 802.1Q pref 3 flower chain 0\s
                filter protocol 802.1Q pref 3 flower chain 0 handle 0x2 classid 1:1\s
                  indev eth1
                  vlan_id 100
                  vlan_prio 3
                  vlan_ethtype ip
                  dst_mac 00:11:22:00:00:00/24
                  eth_type 8100
                  ip_proto tcp
                  ip_tos 16/0xfc
                  dst_ip 1.2.3.4
                  tcp_flags 0x2/12
                  not_in_hw
                """, TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 ingress"), List.of(f), NOW));
    }

    @Test
    void locationWordsComeBackWhenTheCommandDidNotNameThem() {
        FilterInfo block = installed("filter add block 10 protocol ip pref 25 handle 1 flower", 0, null, TcStats.ZERO, TcStats.ZERO);
        assertEquals("filter block 10 protocol ip pref 25 flower chain 0 \nfilter block 10 protocol ip pref 25 flower chain 0 handle 0x1 \n"
                + "  eth_type ipv4\n  not_in_hw\n", TcPrinter.show(command(FilterCmd.class, "filter show dev eth0"), List.of(block), NOW));
        assertEquals("filter protocol ip pref 25 flower chain 0 \nfilter protocol ip pref 25 flower chain 0 handle 0x1 \n"
                + "  eth_type ipv4\n  not_in_hw\n", TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 ingress"), List.of(block), NOW));
        FilterInfo dev = installed("filter add dev eth0 egress chain 2 pref 4 handle 1 matchall", 0, null, TcStats.ZERO, TcStats.ZERO);
        assertEquals("filter dev eth0 egress protocol all pref 4 matchall chain 2 \n"
                        + "filter dev eth0 egress protocol all pref 4 matchall chain 2 handle 0x1 \n  not_in_hw\n",
                TcPrinter.show(command(FilterCmd.class, "filter show"), List.of(dev), NOW));
        assertEquals("filter matchall \nfilter matchall handle 0x1 \n  not_in_hw\n",
                TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 egress chain 2 pref 4 protocol all"), List.of(dev), NOW));
    }

    @Test
    void u32Lines() {
        FilterInfo f = installed("filter add dev eth0 ingress protocol ip pref 99 handle 800::800 u32 match ip src 192.168.8.0/24 "
                + "offset at 0 mask 0f00 shift 6 eat hashkey mask 0x0000ff00 at 12 link 1: classid 1:1", 0, "mlx0: u32 is not offloaded",
                TcStats.ZERO, TcStats.ZERO);
        assertEquals("""
                filter protocol ip pref 99 u32 chain 0\s
                filter protocol ip pref 99 u32 chain 0 fh 800: ht divisor 1\s
                filter protocol ip pref 99 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0 flowid 1:1 link 1: not_in_hw\s
                  not_in_hw_reason: mlx0: u32 is not offloaded
                  match c0a80800/ffffff00 at 12
                    offset 0f00>>6 at 0  eat\s
                    hash mask 0000ff00 at 12\s
                """, TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 ingress"), List.of(f), NOW));
    }

    @Test
    void filterJson() {
        FilterInfo f = installed("filter add dev eth0 ingress protocol ip pref 1 handle 1 flower ip_proto tcp dst_port 80-90 "
                + "action mirred egress redirect dev ipsec0", 1, null, TcStats.ZERO, TcStats.ZERO);
        assertEquals("[{\"protocol\":\"ip\",\"pref\":1,\"kind\":\"flower\",\"chain\":0},"
                        + "{\"protocol\":\"ip\",\"pref\":1,\"kind\":\"flower\",\"chain\":0,\"options\":{\"handle\":1,"
                        + "\"keys\":{\"eth_type\":\"ipv4\",\"ip_proto\":\"tcp\",\"dst_port\":{\"start\":80,\"end\":90}},"
                        + "\"in_hw\":true,\"in_hw_count\":1,"
                        + "\"actions\":[{\"order\":1,\"kind\":\"mirred\",\"mirred_action\":\"redirect\",\"direction\":\"egress\",\"to_dev\":\"ipsec0\","
                        + "\"control_action\":{\"type\":\"stolen\"},\"index\":1,\"ref\":1,\"bind\":1}]}}]\n",
                TcPrinter.show(command(FilterCmd.class, "-j filter show dev eth0 ingress"), List.of(f), NOW));
    }

    @Test
    void filterJsonWithStatisticsAndReason() {
        FilterInfo f = installed("filter add dev eth0 ingress protocol ip pref 1 handle 1 flower skip_hw action drop", 0, "skip_hw",
                new TcStats(84, 1, 1, 0, NOW - 1000), TcStats.ZERO);
        assertEquals("[{\"protocol\":\"ip\",\"pref\":1,\"kind\":\"flower\",\"chain\":0},"
                        + "{\"protocol\":\"ip\",\"pref\":1,\"kind\":\"flower\",\"chain\":0,\"options\":{\"handle\":1,"
                        + "\"keys\":{\"eth_type\":\"ipv4\"},\"skip_hw\":true,\"not_in_hw\":true,\"not_in_hw_reason\":\"skip_hw\","
                        + "\"actions\":[{\"order\":1,\"kind\":\"gact\",\"control_action\":{\"type\":\"drop\"},"
                        + "\"prob\":{\"random_type\":\"none\",\"control_action\":{\"type\":\"pass\"},\"val\":0},"
                        + "\"index\":1,\"ref\":1,\"bind\":1,\"installed\":10,\"last_used\":1,"
                        + "\"stats\":{\"bytes\":84,\"packets\":1,\"drops\":1,\"overlimits\":0,\"requeues\":0,\"backlog\":0,\"qlen\":0}}]}}]\n",
                TcPrinter.show(command(FilterCmd.class, "-s -j filter show dev eth0 ingress"), List.of(f), NOW));
    }

    // ---------------------------------------------------------------- action lines

    /** The action lines of a matchall filter with {@code action}, without the filter lines. */
    private static String actionLines(String action) {
        FilterInfo f = installed("filter add dev eth0 ingress pref 1 handle 1 matchall action " + action, 0, null, TcStats.ZERO, TcStats.ZERO);
        String out = TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 ingress"), List.of(f), NOW);
        return out.substring(out.indexOf("\taction order"));
    }

    @Test
    void actionLinesOfEveryKind() {
        assertEquals("\taction order 1: gact action goto chain 5\n\t random type none pass val 0\n\t index 1 ref 1 bind 1\n\n",
                actionLines("goto chain 5"));
        assertEquals("\taction order 1: gact action drop\n\t random type determ pass val 10\n\t index 1 ref 1 bind 1\n\n",
                actionLines("gact drop random determ pass 10"));
        assertEquals("\taction order 1: mirred (Ingress Mirror to device eth1) pipe\n\tindex 1 ref 1 bind 1\n\n",
                actionLines("mirred ingress mirror dev eth1"));
        assertEquals("\taction order 1: vlan  push id 100 protocol 802.1ad priority 3 pipe\n\t index 1 ref 1 bind 1\n\n",
                actionLines("vlan push id 100 protocol 802.1ad priority 3"));
        assertEquals("\taction order 1: vlan  pop reclassify\n\t index 1 ref 1 bind 1\n\n", actionLines("vlan pop reclassify"));
        assertEquals("\taction order 1: csum (iph, udp) action pass\n\tindex 1 ref 1 bind 1\n\n", actionLines("csum iph and udp"));
        assertEquals("\taction order 1: skbedit  priority 1:10 mark 5/0xff pipe\n\t index 1 ref 1 bind 1\n\n",
                actionLines("skbedit mark 5/0xff priority 1:10"));
        assertEquals("\taction order 1: skbedit  ptype otherhost pipe\n\t index 1 ref 1 bind 1\n\n", actionLines("skbedit ptype otherhost"));
        assertEquals("\taction order 1:  police 0x1 rate 1Mbit burst 10Kb mtu 2Kb peakrate 2Mbit action drop/pipe overhead 0b \n\tref 1 bind 1 \n\n",
                actionLines("police rate 1mbit burst 10k mtu 2k peakrate 2mbit conform-exceed drop/pipe"));
        assertEquals("\taction order 1: sample rate 1/100 group 12 trunc_size 128 pipe\n\t index 1 ref 1 bind 1\n\n",
                actionLines("sample rate 100 group 12 trunc 128"));
        assertEquals("\taction order 1:  police 0x1 rate 1Mbit burst 10Kb mtu 2Kb action drop/pipe overhead 0b \n\tref 1 bind 1 \n\n",
                actionLines("police rate 1mbit burst 10k conform-exceed drop/pipe"));
        assertEquals("\taction order 1:  police 0x1 rate 0bit burst 0b mtu 4096Mb pkts_rate 1000 pkts_burst 100 action reclassify overhead 0b \n"
                + "\tref 1 bind 1 \n\n", actionLines("police pkts_rate 1000 pkts_burst 100"));
        assertEquals("\taction order 1:  pedit action pass keys 2\n \t index 1 ref 1 bind 1\n\t key #0  at 12: val 0a000001 mask 00000000"
                + "\n\t key #1  at ipv4+8: add ff000000 mask 00ffffff\n\n", actionLines("pedit ex munge offset 12 u32 set 0x0a000001 munge ip ttl add 255"));
    }

    @Test
    void aDeviceThatIsGoneSaysSo() {
        Filter f = filterOf("filter add dev eth0 ingress protocol ip pref 1 handle 1 flower indev eth7 action mirred egress redirect dev eth9");
        ActionInfo mirred = new ActionInfo(f.actions().get(0).withIndex(1), 1, 1, NOW, 0, TcStats.ZERO, TcStats.ZERO, true);
        FilterInfo info = new FilterInfo(f, 0, null, List.of(mirred), TcStats.ZERO, TcStats.ZERO, true);
        String out = TcPrinter.show(command(FilterCmd.class, "filter show dev eth0 ingress"), List.of(info), NOW);
        assertTrue(out.contains("  indev eth7 (gone: matches nothing)\n"), out);
        assertTrue(out.contains("mirred (Egress Redirect to device eth9, gone) stolen"), out);
        String json = TcPrinter.show(command(FilterCmd.class, "-j filter show dev eth0 ingress"), List.of(info), NOW);
        assertTrue(json.contains("\"indev\":\"eth7\",\"indev_gone\":true"), json);
        assertTrue(json.contains("\"to_dev\":\"eth9\",\"dev_gone\":true"), json);
    }

    @Test
    void sharedActions() {
        ActionInfo drop = new ActionInfo(new io.netfence.tc.api.GactAction(5, io.netfence.tc.api.Control.SHOT,
                io.netfence.tc.api.GactAction.RandomKind.NONE, null, 0), 1, 0, NOW - 3000, 0, TcStats.ZERO, TcStats.ZERO);
        assertEquals("total acts 1\n\n\taction order 0: gact action drop\n\t random type none pass val 0\n\t index 5 ref 1 bind 0\n",
                TcPrinter.show(command(ActionsCmd.class, "actions ls action gact"), List.of(drop), NOW));
        assertEquals("[{\"total acts\":1},{\"actions\":[{\"order\":0,\"kind\":\"gact\",\"control_action\":{\"type\":\"drop\"},"
                        + "\"prob\":{\"random_type\":\"none\",\"control_action\":{\"type\":\"pass\"},\"val\":0},\"index\":5,\"ref\":1,\"bind\":0}]}]\n",
                TcPrinter.show(command(ActionsCmd.class, "-j actions ls action gact"), List.of(drop), NOW));
        assertEquals("total acts 0\n", TcPrinter.show(command(ActionsCmd.class, "actions ls action mirred"), List.of(drop), NOW));
    }

    // ---------------------------------------------------------------- canonical commands

    @Test
    void canonicalCommands() {
        assertEquals("qdisc add dev eth0 ingress_block 10 egress_block 11 clsact", TcPrinter.toCommand(BLOCKS));
        assertEquals("qdisc add dev eth1 ingress", TcPrinter.toCommand(INGRESS));
        assertEquals("filter add dev eth0 ingress pref 1 protocol ip flower dst_ip 10.20.0.0/16 action mirred egress redirect dev ipsec0",
                TcPrinter.toCommand(filterOf("filter add dev eth0 ingress protocol ip prio 1 flower dst_ip 10.20.0.0/16 "
                        + "action mirred egress redirect dev ipsec0")));
        assertEquals("filter add block 7 chain 3 pref 2 protocol ip handle 1::5 u32 ht 1: match u32 0x0a000000 0xff000000 at 16 "
                        + "match u32 0x00000016 0x0000ffff at nexthdr+0 classid 1:2 action gact pass",
                TcPrinter.toCommand(filterOf("filter add block 7 chain 3 pref 2 protocol ip handle 1::5 u32 ht 1: match ip dst 10.0.0.0/8 "
                        + "match tcp dst 22 0xffff flowid 1:2 action ok")));
        assertEquals("filter add dev eth0 egress matchall skip_sw action pedit ex munge ip ttl add 255 munge tcp dport set 22 pipe "
                        + "action csum iph and tcp",
                TcPrinter.toCommand(filterOf("filter add dev eth0 egress matchall skip_sw action pedit ex munge ip ttl decrement "
                        + "munge tcp dport set 22 pipe csum ip4h and tcp")));
        assertEquals("actions add action police rate 8mbit burst 100k conform-exceed drop/pipe index 1",
                TcPrinter.toCommand(TcRoundTripTest.actionOf("actions add action police rate 1MBps burst 100k conform-exceed drop/pipe index 1")));
    }
}
