package io.netfence.tc.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The model refuses what tc refuses, with the token at fault in the message. */
class ModelTest {
    private static final BlockRef ETH0_IN = BlockRef.of("eth0", TcHook.INGRESS);

    private static Filter flower(int protocol, FlowerMatch m) {
        return new Filter(ETH0_IN, 0, 1, protocol, 0, m, List.of(GactAction.of(Control.SHOT)), false, false, 0);
    }

    private static String refusal(Runnable r) {
        return assertThrows(TcException.class, r::run).getMessage();
    }

    @Test
    void maskedKeepsOnlyTheMaskedBitsAndKnowsPrefixes() {
        Masked m = Masked.of(0x0A14_FFFFL, 0xFFFF_0000L);
        assertEquals(0x0A14_0000L, m.lo(), "bits outside the mask are cleared");
        assertEquals(16, m.prefix32());
        assertTrue(m.matches(0x0A14_0102L));
        assertFalse(m.matches(0x0A15_0102L));
        assertEquals(-1, Masked.of(0, 0xFF00_FF00L).prefix32(), "not a prefix");
        assertEquals(0, Masked.ANY.prefix32());
        assertEquals(64, new Masked(1, 0, -1L, 0).prefix128());
        assertEquals(72, new Masked(1, 0, -1L, 0xFF00_0000_0000_0000L).prefix128());
        assertEquals(-1, new Masked(1, 0, 0xFFFF_0000_0000_0000L, 1).prefix128());
    }

    @Test
    void controlsPrintAsTcDoesAndRefuseBadNumbers() {
        assertEquals("goto chain 5", Control.gotoChain(5).toString());
        assertEquals("jump 2", Control.jump(2).toString());
        assertEquals("drop", Control.SHOT.toString());
        assertEquals("pass", Control.OK.toString());
        assertTrue(refusal(() -> Control.jump(0)).startsWith("jump"));
        assertTrue(refusal(() -> Control.gotoChain(-1)).startsWith("goto chain"));
        assertTrue(refusal(() -> new Control(Control.Kind.PIPE, 3)).contains("takes no number"));
    }

    @Test
    void flowerKeysNeedTheProtocolsTheyBelongTo() {
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.dstIp = Masked.of(0x0A14_0000L, 0xFFFF_0000L);
        assertTrue(refusal(() -> flower(EtherTypes.ALL, b.build())).startsWith("dst_ip: needs protocol ip"));
        flower(EtherTypes.IPV4, b.build());

        FlowerMatch.Builder ports = FlowerMatch.builder();
        ports.dstPort = new PortRange(1024, 2047);
        assertTrue(refusal(() -> flower(EtherTypes.IPV4, ports.build())).startsWith("dst_port: needs ip_proto"));
        ports.ipProto = 6;
        flower(EtherTypes.IPV4, ports.build());

        FlowerMatch.Builder vlan = FlowerMatch.builder();
        vlan.vlanId = 10;
        assertTrue(refusal(() -> flower(EtherTypes.IPV4, vlan.build())).startsWith("vlan_id: needs protocol 802.1Q"));
        vlan.vlanEthType = EtherTypes.IPV4;
        vlan.ipProto = 17;
        flower(EtherTypes.VLAN, vlan.build());

        FlowerMatch.Builder icmp = FlowerMatch.builder();
        icmp.ipProto = 6;
        icmp.icmpType = 8;
        assertTrue(refusal(() -> flower(EtherTypes.IPV4, icmp.build())).startsWith("type: needs ip_proto icmp"));
        icmp.ipProto = 58;
        flower(EtherTypes.IPV6, icmp.build());

        FlowerMatch.Builder flags = FlowerMatch.builder();
        flags.ipProto = 17;
        flags.tcpFlags = Masked.of(0x02, 0x12);
        assertEquals(Masked.ANY, flags.build().tcpFlags(), "as the kernel, tcp_flags without ip_proto tcp are dropped, not refused");
        flags.ipProto = 6;
        assertEquals(Masked.of(0x02, 0x12), flags.build().tcpFlags());

        FlowerMatch.Builder v6 = FlowerMatch.builder();
        v6.srcIp = new Masked(0x2001_0db8_0000_0000L, 0, -1L, 0);
        assertTrue(refusal(() -> flower(EtherTypes.IPV4, v6.build())).contains("IPv6 address needs protocol ipv6"));
    }

    @Test
    void filtersRefuseOutOfRangeFieldsAndContradictoryFlags() {
        assertTrue(refusal(() -> new Filter(ETH0_IN, 0, 70000, EtherTypes.ALL, 0, new MatchAll(), List.of(), false, false, 0))
                .startsWith("prio"));
        assertTrue(refusal(() -> new Filter(ETH0_IN, -1, 1, EtherTypes.ALL, 0, new MatchAll(), List.of(), false, false, 0))
                .startsWith("chain"));
        assertTrue(refusal(() -> new Filter(ETH0_IN, 0, 1, EtherTypes.ALL, 0, new MatchAll(), List.of(), true, true, 0))
                .startsWith("skip_sw"));
        List<Action> many = java.util.Collections.nCopies(TcLimits.MAX_ACTIONS + 1, GactAction.of(Control.PIPE));
        assertTrue(refusal(() -> new Filter(ETH0_IN, 0, 1, EtherTypes.ALL, 0, new MatchAll(), many, false, false, 0))
                .startsWith("action"));
        assertTrue(refusal(() -> new BlockRef(null, null, 0)).startsWith("block"));
        assertTrue(refusal(() -> new Qdisc("eth0", Qdisc.Kind.INGRESS, 0, 5)).startsWith("egress_block"));
    }

    @Test
    void u32AndActionsCheckTheirOwnRules() {
        assertTrue(refusal(() -> new U32Match(List.of(), U32Match.ROOT_TABLE, 0, 0, 0, 0, 3, null)).startsWith("divisor"));
        assertTrue(refusal(() -> new U32Match.Key(1, -1, 2, false)).startsWith("at"));
        assertEquals(0x0A00_0000, new U32Match.Key(0x0A01_0203, 0xFF00_0000, 12, false).value(), "value masked");
        assertTrue(refusal(() -> new U32Match(List.of(), U32Match.ROOT_TABLE, 0, 0, 0xFF, 12, 0, null)).startsWith("hashkey"));
        assertEquals(Control.STOLEN, new MirredAction(0, null, false, true, "ipsec0").control(), "redirect steals");
        assertEquals(Control.PIPE, new MirredAction(0, null, false, false, "eth1").control(), "mirror pipes");
        assertTrue(refusal(() -> new PoliceAction(0, 0, 0, 0, 0, 0, null, null)).startsWith("police"));
        assertTrue(refusal(() -> new VlanAction(0, null, VlanAction.Op.PUSH, 4096, -1, 0)).startsWith("id"));
        assertTrue(refusal(() -> new CsumAction(0, null, 0)).startsWith("csum"));
        assertTrue(refusal(() -> new SkbeditAction(0, null, 0, 0, -1)).startsWith("skbedit"));
        assertEquals(0x0800, EtherTypes.parse("ip"));
        assertEquals(0x88A8, EtherTypes.parse("802.1ad"));
        assertEquals(-1, EtherTypes.parse("bogus"));
        assertEquals("802.1Q", EtherTypes.name(0x8100));
    }
}
