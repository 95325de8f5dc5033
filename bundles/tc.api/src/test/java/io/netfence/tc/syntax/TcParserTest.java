package io.netfence.tc.syntax;

import static io.netfence.tc.syntax.TcRoundTripTest.actionOf;
import static io.netfence.tc.syntax.TcRoundTripTest.filterOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.PeditAction.Cmd;
import io.netfence.tc.api.PeditAction.Header;
import io.netfence.tc.api.PeditAction.Key;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.PortRange;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService;
import io.netfence.tc.api.U32Match;
import io.netfence.tc.api.VlanAction;
import io.netfence.tc.syntax.TcCommand.ActionsCmd;
import io.netfence.tc.syntax.TcCommand.ChainCmd;
import io.netfence.tc.syntax.TcCommand.FilterCmd;
import io.netfence.tc.syntax.TcCommand.Output;
import io.netfence.tc.syntax.TcCommand.QdiscCmd;
import io.netfence.tc.syntax.TcCommand.Verb;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the parser makes of tc words: commands, flower keys, u32 and pedit words packed as iproute2 packs them, units. */
class TcParserTest {

    // ---------------------------------------------------------------- commands

    @Test
    void globalOptionsLongAndShort() {
        assertEquals(new Output(true, true, true, true), TcParser.parseLine("-s -d -j -p qdisc show").output());
        assertEquals(new Output(true, true, true, true), TcParser.parseLine("-stats -details -json -pretty filter show").output());
        assertEquals(new Output(true, false, false, false), TcParser.parseLine("-statistics chain show").output());
        assertEquals(Output.PLAIN, TcParser.parseLine("qdisc").output());
    }

    @Test
    void verbsWithTheirAliases() {
        assertEquals(Verb.DELETE, TcParser.parseLine("qdisc del dev eth0 clsact").verb());
        assertEquals(Verb.DELETE, TcParser.parseLine("filter delete dev eth0 ingress").verb());
        assertEquals(Verb.SHOW, TcParser.parseLine("filter list dev eth0 ingress").verb());
        assertEquals(Verb.SHOW, TcParser.parseLine("filter ls dev eth0 ingress").verb());
        assertEquals(Verb.SHOW, TcParser.parseLine("qdisc").verb());
        assertEquals(Verb.CHANGE, TcParser.parseLine("qdisc change dev eth0 clsact").verb());
        assertEquals(Verb.FLUSH, TcParser.parseLine("actions flush action gact").verb());
        assertEquals(TcService.Mode.REPLACE, Verb.REPLACE.mode());
    }

    @Test
    void qdiscAddWithBlocks() {
        QdiscCmd cmd = assertInstanceOf(QdiscCmd.class, TcParser.parseLine("qdisc add dev eth0 ingress_block 10 egress_block 11 clsact"));
        assertEquals(new Qdisc("eth0", Qdisc.Kind.CLSACT, 10, 11), cmd.qdisc());
        QdiscCmd ingress = assertInstanceOf(QdiscCmd.class, TcParser.parseLine("qdisc add dev eth0 ingress handle ffff:"));
        assertEquals(new Qdisc("eth0", Qdisc.Kind.INGRESS, 0, 0), ingress.qdisc());
    }

    @Test
    void qdiscDeleteAndShowNeedNoKind() {
        QdiscCmd del = assertInstanceOf(QdiscCmd.class, TcParser.parseLine("qdisc del dev eth0 parent ffff:fff1"));
        assertEquals("eth0", del.dev());
        assertNull(del.kind());
        QdiscCmd show = assertInstanceOf(QdiscCmd.class, TcParser.parseLine("qdisc show dev eth0 ingress"));
        assertEquals(Qdisc.Kind.INGRESS, show.kind());
    }

    @Test
    void filterPlacesResolveToHooksAndBlocks() {
        assertEquals(BlockRef.of("eth0", TcHook.INGRESS), filterOf("filter add dev eth0 ingress matchall").where());
        assertEquals(BlockRef.of("eth0", TcHook.EGRESS), filterOf("filter add dev eth0 egress matchall").where());
        assertEquals(BlockRef.of("eth0", TcHook.INGRESS), filterOf("filter add dev eth0 parent ffff: matchall").where());
        assertEquals(BlockRef.of("eth0", TcHook.INGRESS), filterOf("filter add dev eth0 parent ffff:fff2 matchall").where());
        assertEquals(BlockRef.of("eth0", TcHook.EGRESS), filterOf("filter add dev eth0 parent ffff:fff3 matchall").where());
        assertEquals(BlockRef.shared(10), filterOf("filter add block 10 matchall").where());
    }

    @Test
    void filterHeadWords() {
        Filter f = filterOf("filter add dev eth0 ingress chain 3 pref 7 protocol ipv6 handle 0x10 flower");
        assertEquals(3, f.chain());
        assertEquals(7, f.prio());
        assertEquals(EtherTypes.IPV6, f.protocol());
        assertEquals(16, f.handle());
        assertEquals(FlowerMatch.ANY, f.classifier());
        Filter abbreviated = filterOf("filter add dev eth0 ingress prio 0x10 proto 802.1Q ch 2 matchall");
        assertEquals(16, abbreviated.prio());
        assertEquals(EtherTypes.VLAN, abbreviated.protocol());
        assertEquals(2, abbreviated.chain());
    }

    @Test
    void createdFiltersDefaultToProtocolAllAndChangeLeavesItOpen() {
        assertEquals(EtherTypes.ALL, filterOf("filter add dev eth0 ingress matchall").protocol());
        assertEquals(EtherTypes.ALL, filterOf("filter replace dev eth0 ingress matchall").protocol());
        assertEquals(0, filterOf("filter change dev eth0 ingress pref 1 handle 1 matchall").protocol());
    }

    @Test
    void filterShowDeleteAndGetSelect() {
        FilterCmd show = assertInstanceOf(FilterCmd.class, TcParser.parseLine("filter show dev eth0"));
        assertNull(show.where());
        assertEquals("eth0", show.dev());
        assertEquals(-1, show.chain());
        FilterCmd del = assertInstanceOf(FilterCmd.class, TcParser.parseLine("filter del dev eth0 ingress chain 2 pref 3 protocol ip handle 0x5 flower"));
        assertEquals(BlockRef.of("eth0", TcHook.INGRESS), del.where());
        assertEquals(2, del.chain());
        assertEquals(3, del.prio());
        assertEquals(EtherTypes.IPV4, del.protocol());
        assertEquals(5, del.handle());
        assertEquals("flower", del.kind());
        assertNull(del.filter());
        FilterCmd get = assertInstanceOf(FilterCmd.class, TcParser.parseLine("filter get dev eth0 egress protocol ip pref 1 handle 800::800 u32"));
        assertEquals(0x8000_0800L, get.handle());
        assertEquals(0x8000_0800L, assertInstanceOf(FilterCmd.class, TcParser.parseLine("filter show dev eth0 ingress handle 800::800")).handle());
        assertEquals(7, assertInstanceOf(FilterCmd.class, TcParser.parseLine("filter show dev eth0 ingress handle 0x7")).handle());
        FilterCmd all = assertInstanceOf(FilterCmd.class, TcParser.parseLine("filter del block 4"));
        assertEquals(BlockRef.shared(4), all.where());
        assertEquals(0, all.prio());
    }

    @Test
    void chainCommands() {
        ChainCmd add = assertInstanceOf(ChainCmd.class, TcParser.parseLine("chain add dev eth0 egress chain 7"));
        assertEquals(BlockRef.of("eth0", TcHook.EGRESS), add.where());
        assertEquals(7, add.chain());
        ChainCmd del = assertInstanceOf(ChainCmd.class, TcParser.parseLine("chain del block 3"));
        assertEquals(0, del.chain());
        ChainCmd show = assertInstanceOf(ChainCmd.class, TcParser.parseLine("chain show dev eth0 ingress"));
        assertEquals(-1, show.chain());
    }

    @Test
    void actionsCommands() {
        ActionsCmd add = assertInstanceOf(ActionsCmd.class,
                TcParser.parseLine("actions add action gact drop index 10 action mirred egress mirror dev eth1 index 11"));
        assertEquals(List.of(new GactAction(10, Control.SHOT, GactAction.RandomKind.NONE, null, 0),
                new MirredAction(11, Control.PIPE, false, false, "eth1")), add.actions());
        ActionsCmd del = assertInstanceOf(ActionsCmd.class, TcParser.parseLine("actions del action police index 1 action gact index 2"));
        assertEquals(List.of(new ActionRef("police", 1), new ActionRef("gact", 2)), del.actions());
        ActionsCmd list = assertInstanceOf(ActionsCmd.class, TcParser.parseLine("actions ls action mirred"));
        assertEquals("mirred", list.kind());
        assertTrue(list.actions().isEmpty());
    }

    // ---------------------------------------------------------------- flower

    @Test
    void flowerKeys() {
        Filter f = filterOf("filter add dev eth0 ingress protocol ip flower indev eth1 dst_mac 00:11:22:33:44:55 src_mac aa:bb:cc:00:00:00/24 "
                + "ip_proto tcp ip_tos 0x10/0xfc ip_ttl 64 dst_ip 10.20.0.0/16 src_ip 1.2.3.4 dst_port 80 src_port 1024-2047 tcp_flags 0x2/0x12");
        FlowerMatch m = assertInstanceOf(FlowerMatch.class, f.classifier());
        assertEquals("eth1", m.indev());
        assertEquals(Masked.of(0x0011_2233_4455L, 0xFFFF_FFFF_FFFFL), m.dstMac());
        assertEquals(Masked.of(0xAABB_CC00_0000L, 0xFFFF_FF00_0000L), m.srcMac());
        assertEquals(6, m.ipProto());
        assertEquals(Masked.of(0x10, 0xFC), m.ipTos());
        assertEquals(Masked.of(64, 0xFF), m.ipTtl());
        assertEquals(Masked.of(0x0A14_0000L, 0xFFFF_0000L), m.dstIp());
        assertEquals(Masked.of(0x0102_0304L, 0xFFFF_FFFFL), m.srcIp());
        assertEquals(PortRange.exactly(80), m.dstPort());
        assertEquals(new PortRange(1024, 2047), m.srcPort());
        assertEquals(Masked.of(0x2, 0x12), m.tcpFlags());
    }

    @Test
    void flowerReadsIpProtoNumbersAsHex() {
        assertEquals(0x11, ((FlowerMatch) filterOf("filter add dev eth0 ingress protocol ip flower ip_proto 11").classifier()).ipProto());
        assertEquals(0x2F, ((FlowerMatch) filterOf("filter add dev eth0 ingress protocol ip flower ip_proto 0x2f").classifier()).ipProto());
    }

    @Test
    void flowerVlanAndIpv6Keys() {
        FlowerMatch vlan = (FlowerMatch) filterOf("filter add dev eth0 ingress protocol 802.1Q flower vlan_id 100 vlan_prio 3 vlan_ethtype ipv6 "
                + "ip_proto icmpv6 type 128 code 0 dst_ip 2001:db8::/32").classifier();
        assertEquals(100, vlan.vlanId());
        assertEquals(3, vlan.vlanPrio());
        assertEquals(EtherTypes.IPV6, vlan.vlanEthType());
        assertEquals(58, vlan.ipProto());
        assertEquals(128, vlan.icmpType());
        assertEquals(0, vlan.icmpCode());
        assertEquals(new Masked(0x2001_0DB8_0000_0000L, 0, 0xFFFF_FFFF_0000_0000L, 0), vlan.dstIp());
    }

    @Test
    void flowerFlagsClassidAndActions() {
        Filter f = filterOf("filter add dev eth0 ingress protocol ip flower skip_hw dst_ip 1.1.1.1 action drop classid 1:10");
        assertTrue(f.skipHw());
        assertFalse(f.skipSw());
        assertEquals(0x0001_0010L, f.classid());
        assertEquals(List.of(GactAction.of(Control.SHOT)), f.actions());
    }

    // ---------------------------------------------------------------- u32: iproute2's pack_key

    @ParameterizedTest
    @CsvSource({
            // selector, value, mask, offset, nexthdr
            "match ip src 192.168.8.0/24, c0a80800, ffffff00, 12, false",
            "match ip dst 10.0.0.1, 0a000001, ffffffff, 16, false",
            "match ip sport 80 0xffff, 00500000, ffff0000, 20, false",
            "match ip dport 80 0xffff, 00000050, 0000ffff, 20, false",
            "match ip protocol 6 0xff, 00060000, 00ff0000, 8, false",
            "match ip tos 0x10 0xff, 00100000, 00ff0000, 0, false",
            "match ip ihl 5 0x0f, 05000000, 0f000000, 0, false",
            "match ip nofrag, 00000000, 00003fff, 4, false",
            "match ip firstfrag, 00002000, 00003fff, 4, false",
            "match ip df, 00004000, 00004000, 4, false",
            "match ip icmp_code 3 0xff, 00030000, 00ff0000, 20, false",
            "match u8 0x45 0xff at 0, 45000000, ff000000, 0, false",
            "match u8 6 ff at 9, 00060000, 00ff0000, 8, false",
            "match u8 1 ff at 11, 00000001, 000000ff, 8, false",
            "match u16 0 1fff at 6, 00000000, 00001fff, 4, false",
            "match u16 0x1234 0xffff at 4, 12340000, ffff0000, 4, false",
            // iproute2 folds a u16 at an odd offset into the low half of the word, unshifted
            "match u16 0x1234 0xffff at 5, 00001234, 0000ffff, 4, false",
            "match u32 0x0a000001 0xffffffff at 16, 0a000001, ffffffff, 16, false",
            "match u32 0 0, 00000000, 00000000, 0, false",
            "match tcp src 22 FFFF, 00160000, ffff0000, 0, true",
            "match udp dst 4789 0xffff, 000012b5, 0000ffff, 0, true",
            "match icmp code 0 0xff, 00000000, 00ff0000, 0, true",
            "match u8 6 0xff at nexthdr+9, 00060000, 00ff0000, 8, true",
            "match u8 6 0xff at nexthdr+ 9, 00060000, 00ff0000, 8, true",
            "match ip6 dst 2001:db8::/32, 20010db8, ffffffff, 24, false",
            "match ip6 sport 53 0xffff, 00350000, ffff0000, 40, false",
            "match ip6 priority 0x10 0xff, 01000000, 0ff00000, 0, false",
    })
    void u32SelectorPacksOneKeyAsIproute2(String selector, String value, String mask, int offset, boolean nexthdr) {
        U32Match m = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 " + selector).classifier();
        assertEquals(List.of(new U32Match.Key((int) Long.parseLong(value, 16), (int) Long.parseLong(mask, 16), offset, nexthdr)), m.keys());
    }

    @Test
    void syntaxLinuxTakesThatWasRefusedBefore() {
        FlowerMatch noProto = (FlowerMatch) filterOf("filter add dev eth0 ingress protocol ip flower tcp_flags 0x2/0x12 action drop").classifier();
        assertEquals(io.netfence.tc.api.Masked.ANY, noProto.tcpFlags(), "the kernel keeps tcp_flags only under ip_proto tcp");
        PoliceAction cell = (PoliceAction) filterOf("filter add dev eth0 ingress matchall action police rate 1mbit burst 10k/8 mtu 2k/8 drop").actions().get(0);
        assertEquals(List.of(10_240L, 2048), List.of(cell.burstBytes(), cell.mtu()), "the cell size changes nothing and is not kept");
        PoliceAction peak = (PoliceAction) filterOf("filter add dev eth0 ingress matchall action police rate 1mbit burst 10k peakrate 2mbit mtu 2k drop")
                .actions().get(0);
        assertEquals(250_000, peak.peakrateBytesPerSecond());
        assertEquals("actions add action police rate 1mbit burst 10k mtu 2k peakrate 2mbit conform-exceed drop", TcPrinter.toCommand(peak.withIndex(0)));
        SkbeditAction ptype = (SkbeditAction) filterOf("filter add dev eth0 ingress matchall action skbedit ptype otherhost").actions().get(0);
        assertEquals(SkbeditAction.PTYPE_OTHERHOST, ptype.ptype());
        assertEquals("actions add action skbedit mark 5 ptype host", TcPrinter.toCommand(new SkbeditAction(0, null, 5, 0xFFFF_FFFFL, -1, SkbeditAction.PTYPE_HOST)));
    }

    /** {@code u32 ... sample}: the bucket as iproute2 6.1 computes it (checked against tc filter show: fh 1:8:800, 1:11:800, 1:6:800). */
    @Test
    void u32SamplePicksTheBucketAsIproute2() {
        U32Match man = (U32Match) filterOf("filter add dev eth0 ingress protocol ip prio 1 u32 ht 1: sample u32 0x00000800 0x0000ff00 at 12 "
                + "match ip src 192.168.8.0/24 classid 1:1").classifier();
        assertEquals(List.of(1, 8), List.of(man.table(), man.bucket()), "tc-u32(8): ntohl(val & mask) >> (ffs(mask) - 1)");
        assertEquals(List.of(new U32Match.Key(0xC0A8_0800, 0xFFFF_FF00, 12, false)), man.keys(), "the sample is not a match key");
        U32Match after = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 ht 1:2: sample ip protocol 17 ff match u32 0 0").classifier();
        assertEquals(0x11, after.bucket(), "the sample's bucket replaces the one ht named");
        U32Match before = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 sample ip protocol 6 ff divisor 16 ht 1: match u32 0 0")
                .classifier();
        assertEquals(List.of(1, 6), List.of(before.table(), before.bucket()), "and ht after the sample keeps it");
        U32Match folded = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 ht 2: sample u32 0x12345678 0x0000ff00 at 16 divisor 16 match u32 0 0")
                .classifier();
        assertEquals(0x56 % 16, folded.bucket(), "modulo the sample's divisor");
    }

    @Test
    void u32MergesMatchesOnTheSameWord() {
        U32Match m = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 match ip sport 80 0xffff match ip dport 22 0xffff").classifier();
        assertEquals(List.of(new U32Match.Key(0x0050_0016, 0xFFFF_FFFF, 20, false)), m.keys());
    }

    @Test
    void u32AddressesSpanWords() {
        U32Match v6 = (U32Match) filterOf("filter add dev eth0 ingress protocol ipv6 u32 match ip6 src 2001:db8:1::/48").classifier();
        assertEquals(List.of(new U32Match.Key(0x2001_0DB8, -1, 8, false), new U32Match.Key(0x0001_0000, 0xFFFF_0000, 12, false)), v6.keys());
        U32Match ether = (U32Match) filterOf("filter add dev eth0 ingress u32 match ether dst 00:11:22:33:44:55").classifier();
        assertEquals(List.of(new U32Match.Key(0x0000_0011, 0x0000_FFFF, -16, false), new U32Match.Key(0x2233_4455, -1, -12, false)),
                ether.keys());
    }

    @Test
    void u32TablesHashingAndOffset() {
        Filter divisor = filterOf("filter add dev eth0 ingress protocol ip handle 1: u32 divisor 256");
        U32Match table = (U32Match) divisor.classifier();
        assertEquals(1, table.table());
        assertEquals(256, table.divisor());
        assertEquals(0x0010_0000L, divisor.handle());
        U32Match linker = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 ht 800: match ip protocol 6 FF "
                + "offset at 0 mask 0f00 shift 6 eat link 1: hashkey mask 0x0000ff00 at 12").classifier();
        assertEquals(U32Match.ROOT_TABLE, linker.table());
        assertEquals(1, linker.link());
        assertEquals(0x0000_FF00, linker.hashMask());
        assertEquals(12, linker.hashOffset());
        assertEquals(8, linker.hashShift());
        assertEquals(new U32Match.Offset(0, 0x0F00, 6, 0, true), linker.offset());
        U32Match bucket = (U32Match) filterOf("filter add dev eth0 ingress protocol ip u32 ht 1:2: match u32 0 0").classifier();
        assertEquals(1, bucket.table());
        assertEquals(2, bucket.bucket());
    }

    @Test
    void u32HandleAndOrder() {
        assertEquals(0x8000_0800L, filterOf("filter add dev eth0 ingress protocol ip handle 800::800 u32 match u32 0 0").handle());
        assertEquals(0x0000_0007L, filterOf("filter add dev eth0 ingress protocol ip u32 order 7 match u32 0 0").handle());
        assertEquals(0x8000_0007L, filterOf("filter add dev eth0 ingress protocol ip handle 800:: u32 order 7 match u32 0 0").handle());
    }

    @Test
    void u32PoliceWordIsAPolicerAction() {
        Filter f = filterOf("filter add dev eth0 parent ffff: protocol ip prio 50 u32 match ip src 0.0.0.0/0 police rate 1mbit burst 10k drop flowid :1");
        assertEquals(List.of(new PoliceAction(0, 125_000, 10_240, 0, 0, 0, null, Control.SHOT)), f.actions());
        assertEquals(1, f.classid());
    }

    // ---------------------------------------------------------------- actions

    @Test
    void bareControlsAreGact() {
        Filter f = filterOf("filter add dev eth0 ingress matchall action goto chain 5 action jump 1 action trap");
        assertEquals(List.of(GactAction.of(Control.gotoChain(5)), GactAction.of(Control.jump(1)), GactAction.of(Control.TRAP)), f.actions());
    }

    @Test
    void aControlAfterAnActionThatTakesNoneStartsAGact() {
        // tc gives a redirect no control: "pipe" after it is a second action, as in iproute2.
        Filter f = filterOf("filter add dev eth0 ingress matchall action mirred egress redirect dev eth1 pipe");
        assertEquals(List.of(new MirredAction(0, Control.STOLEN, false, true, "eth1"), GactAction.of(Control.PIPE)), f.actions());
    }

    @Test
    void kindIndexAloneIsAReference() {
        assertEquals(List.of(new ActionRef("police", 1), new ActionRef("sample", 19), new ActionRef("mirred", 2)),
                filterOf("filter add dev eth0 ingress matchall action police index 1 action sample index 19 action mirred index 2").actions());
        assertEquals(new GactAction(3, Control.SHOT, GactAction.RandomKind.NONE, null, 0),
                filterOf("filter add dev eth0 ingress matchall action drop index 3").actions().get(0));
    }

    @Test
    void actionDefaultsFollowTc() {
        assertEquals(Control.PIPE, actionOf("actions add action mirred egress mirror dev eth1").control());
        assertEquals(Control.STOLEN, actionOf("actions add action mirred egress redirect dev eth1").control());
        assertEquals(Control.PIPE, actionOf("actions add action vlan pop").control());
        assertEquals(Control.OK, actionOf("actions add action pedit munge ip ttl set 1").control());
        assertEquals(Control.OK, actionOf("actions add action csum udp").control());
        assertEquals(Control.PIPE, actionOf("actions add action skbedit mark 1").control());
        assertEquals(Control.PIPE, actionOf("actions add action sample rate 2 group 1").control());
        PoliceAction police = (PoliceAction) actionOf("actions add action police rate 1mbit burst 10k");
        assertEquals(Control.RECLASSIFY, police.exceed());
        assertEquals(Control.OK, police.conform());
    }

    @Test
    void vlanSkbeditCsumSample() {
        assertEquals(new VlanAction(0, Control.OK, VlanAction.Op.PUSH, 100, 3, EtherTypes.QINQ),
                actionOf("actions add action vlan push id 100 protocol 802.1ad priority 3 pass"));
        assertEquals(new VlanAction(0, Control.PIPE, VlanAction.Op.MODIFY, 20, -1, EtherTypes.VLAN), actionOf("actions add action vlan modify id 20"));
        assertEquals(new SkbeditAction(0, Control.PIPE, 0x10, 0xFF, 0x0001_0001L), actionOf("actions add action skbedit mark 0x10/0xff priority 1:1"));
        assertEquals(new SkbeditAction(0, Control.PIPE, 5, 0xFFFF_FFFFL, -1), actionOf("actions add action skbedit mark 5"));
        assertEquals(new CsumAction(0, Control.PIPE, CsumAction.IPH | CsumAction.UDP), actionOf("actions add action csum ip and udp pipe"));
        assertEquals(new SampleAction(7, Control.CONTINUE, 100, 12, 128), actionOf("actions add action sample rate 100 group 12 trunc 128 continue index 7"));
    }

    @Test
    void policeRatesSizesAndControls() {
        assertEquals(new PoliceAction(3, 187_500, 65_536, 0, 0, 2048, Control.OK, Control.SHOT),
                actionOf("actions add action police rate 1.5mbit burst 64kb mtu 2k conform-exceed drop/ok index 3"));
        assertEquals(new PoliceAction(0, 10_000_000, 1_048_576, 0, 0, 0, Control.PIPE, Control.SHOT),
                actionOf("actions add action police rate 10Mbps burst 1m conform-exceed drop / pipe"));
        assertEquals(new PoliceAction(0, 0, 0, 1000, 200, 0, null, Control.gotoChain(4)),
                actionOf("actions add action police pkts_rate 1000 pkts_burst 200 conform-exceed goto chain 4"));
    }

    // ---------------------------------------------------------------- pedit: iproute2's pack_key8/16/32

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "munge ip src set 10.0.0.1                          | NETWORK | 12 | 0a000001 | 00000000 | SET",
            "munge ip ttl set 64                                | NETWORK | 8  | 40000000 | 00ffffff | SET",
            "munge offset 8 u8 set 64                           | NETWORK | 8  | 40000000 | 00ffffff | SET",
            "munge ip tos set 0x10                              | NETWORK | 0  | 00100000 | ff00ffff | SET",
            "munge ip dport set 22                              | NETWORK | 20 | 00000016 | ffff0000 | SET",
            "munge ip sport set 22                              | NETWORK | 20 | 00160000 | 0000ffff | SET",
            "munge offset 12 u32 set 0x0a000001 retain 0xffff   | NETWORK | 12 | 00000001 | ffff0000 | SET",
            "munge ip ttl set 64 retain 0xf0                    | NETWORK | 8  | 40000000 | 0fffffff | SET",
            "ex munge ip ttl add 255                            | IP4     | 8  | ff000000 | 00ffffff | ADD",
            "ex munge ip ttl decrement                          | IP4     | 8  | ff000000 | 00ffffff | ADD",
            "ex munge ip dsfield set 0xb8 retain 0xfc           | IP4     | 0  | 00b80000 | ff03ffff | SET",
            "ex munge ip6 hoplimit decrement                    | IP6     | 4  | 000000ff | ffffff00 | ADD",
            "ex munge tcp dport set 22                          | TCP     | 0  | 00000016 | ffff0000 | SET",
            "ex munge udp sport set 53                          | UDP     | 0  | 00350000 | 0000ffff | SET",
            "ex munge tcp flags set 2                           | TCP     | 12 | 00020000 | ff00ffff | SET",
            "ex munge eth type set 0x0800                       | ETH     | 12 | 08000000 | 0000ffff | SET",
    })
    void peditMungePacksAKeyAsIproute2(String munge, Header header, int offset, String value, String mask, Cmd cmd) {
        PeditAction pedit = (PeditAction) actionOf("actions add action pedit " + munge);
        assertEquals(List.of(new Key(header, offset, (int) Long.parseLong(value, 16), (int) Long.parseLong(mask, 16), cmd)), pedit.keys());
    }

    @Test
    void peditAddressesBecomeSeveralKeys() {
        PeditAction dst = (PeditAction) actionOf("actions add action pedit ex munge eth dst set 11:22:33:44:55:66");
        assertEquals(List.of(new Key(Header.ETH, 0, 0x1122_3344, 0, Cmd.SET), new Key(Header.ETH, 4, 0x5566_0000, 0x0000_FFFF, Cmd.SET)),
                dst.keys());
        PeditAction src = (PeditAction) actionOf("actions add action pedit ex munge eth src set 11:22:33:44:55:66");
        assertEquals(List.of(new Key(Header.ETH, 4, 0x0000_1122, 0xFFFF_0000, Cmd.SET), new Key(Header.ETH, 8, 0x3344_5566, 0, Cmd.SET)),
                src.keys());
        PeditAction v6 = (PeditAction) actionOf("actions add action pedit ex munge ip6 dst set 2001:db8::1");
        assertEquals(List.of(new Key(Header.IP6, 24, 0x2001_0DB8, 0, Cmd.SET), new Key(Header.IP6, 28, 0, 0, Cmd.SET),
                new Key(Header.IP6, 32, 0, 0, Cmd.SET), new Key(Header.IP6, 36, 1, 0, Cmd.SET)), v6.keys());
    }

    // ---------------------------------------------------------------- the word helpers

    @ParameterizedTest
    @CsvSource({"1mbit, 125000", "100kbit, 12500", "1gbit, 125000000", "8bit, 1", "1000, 125", "1mbps, 1000000", "1KBps, 1000",
            "2kibit, 256", "1mibit, 131072", "1.5mbit, 187500", "1tbit, 125000000000", "1bit, 0"})
    void ratesInBytesPerSecond(String word, long bytes) {
        assertEquals(bytes, Units.rate(word));
    }

    @ParameterizedTest
    @CsvSource({"1500, 1500", "10k, 10240", "10kb, 10240", "1m, 1048576", "1MB, 1048576", "1g, 1073741824", "1kbit, 128", "1mbit, 131072",
            "1.5k, 1536", "64b, 64", "0.5, -1", "10x, -1", "k, -1"})
    void sizesInBytes(String word, long bytes) {
        assertEquals(bytes, Units.size(word));
    }

    @ParameterizedTest
    @CsvSource({"125000, 1Mbit", "187500, 1500Kbit", "1, 8bit", "125, 1Kbit", "125000000, 1Gbit"})
    void ratesPrintAsTcDoes(long bytes, String text) {
        assertEquals(text, Units.printRate(bytes));
    }

    @ParameterizedTest
    @CsvSource({"10240, 10Kb", "2040, 2Kb", "1500, 1500b", "1048576, 1Mb", "4294967295, 4096Mb"})
    void sizesPrintAsTcDoes(long bytes, String text) {
        assertEquals(text, Units.printSize(bytes));
    }

    @ParameterizedTest
    @CsvSource({"10, 0, 10", "0x1f, 0, 31", "017, 0, 15", "0, 0, 0", "ff, 16, 255", "0xff, 16, 255", "08, 0, -1", "12a, 10, -1", "'', 0, -1",
            "-1, 0, -1"})
    void numbersReadAsStrtoul(String word, int base, long value) {
        assertEquals(value, Words.parseUnsigned(word, base));
    }

    @ParameterizedTest
    @CsvSource({"10.1.2.3, 10.1.2.3", "10, 10.0.0.0", "10.1, 10.1.0.0", "0x0a.1.2.3, 10.1.2.3"})
    void ipv4AsIproute2ReadsIt(String word, String printed) {
        assertEquals(printed, Addresses.formatIpv4(Addresses.ipv4(word)));
    }

    @ParameterizedTest
    @CsvSource({"2001:db8::1, 2001:db8::1", "2001:0db8:0:0:0:0:0:1, 2001:db8::1", "::, ::", "::1, ::1", "1::, 1::", "fe80::1:0:0:1, fe80::1:0:0:1",
            "1:0:0:2:0:0:0:3, 1:0:0:2::3", "::ffff:10.0.0.1, ::ffff:10.0.0.1", "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8"})
    void ipv6AsInetNtopPrintsIt(String word, String printed) {
        long[] a = Addresses.ipv6(word);
        assertEquals(printed, Addresses.formatIpv6(a[0], a[1]));
    }

    @ParameterizedTest
    @CsvSource({"1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1.2.3.4::", "g::1"})
    void malformedIpv6IsRefused(String word) {
        assertNull(Addresses.ipv6(word));
    }

    @ParameterizedTest
    @CsvSource({"1:10, 65552", ":1, 1", "1:, 65536", "root, 4294967295", "none, 0", "10, 16"})
    void classidsAsTcReadsThem(String word, long value) {
        assertEquals(value, Addresses.classid(word));
    }

    @Test
    void matchAllIsTheClassifierOfMatchall() {
        assertEquals(new MatchAll(), filterOf("filter add dev eth0 ingress matchall").classifier());
    }
}
