package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.markBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Tcp;
import io.netfence.tc.api.Action;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.U32Match;
import java.util.List;
import org.junit.jupiter.api.Test;

/** u32: words at network-header offsets, folded u8/u16 keys, nexthdr+, offset clauses, hash tables with link and hashkey. */
class U32Test {
    private static final int ROOT = U32Match.ROOT_TABLE;

    /** {@code match u32 VALUE MASK at OFFSET}. */
    private static U32Match.Key at(int value, int mask, int offset) {
        return new U32Match.Key(value, mask, offset, false);
    }

    /** {@code match u32 VALUE MASK at nexthdr+OFFSET}. */
    private static U32Match.Key nexthdr(int value, int mask, int offset) {
        return new U32Match.Key(value, mask, offset, true);
    }

    private static U32Match root(U32Match.Key... keys) {
        return new U32Match(List.of(keys), ROOT, 0, 0, 0, 0, 0, null);
    }

    private static void add(TcKit kit, long handle, U32Match m, Action... actions) {
        kit.add(filter(0, 1, EtherTypes.IPV4, handle, m, actions));
    }

    private static byte[] udp(String src, String dst, int sport, int dport) {
        return eth().ipv4(src, dst).udp(sport, dport).build();
    }

    private static void addLine(TcKit kit, String line) {
        kit.add(((io.netfence.tc.syntax.TcCommand.FilterCmd) io.netfence.tc.syntax.TcParser.parseLine(line)).filter());
    }

    /** tc-u32(8)'s hashing example: the link hashes the third byte of the source, and sample puts the filter in that bucket. */
    @Test
    void aSampledFilterSitsInTheBucketItsPacketsHashTo() {
        TcKit kit = new TcKit();
        addLine(kit, "filter add dev eth0 ingress prio 1 handle 1: protocol ip u32 divisor 256");
        addLine(kit, "filter add dev eth0 ingress protocol ip prio 1 handle 800::800 u32 ht 800:: match ip src 192.168.0.0/16 "
                + "hashkey mask 0x0000ff00 at 12 link 1:");
        addLine(kit, "filter add dev eth0 ingress protocol ip prio 1 handle 1:8:800 u32 ht 1: sample u32 0x00000800 0x0000ff00 at 12 "
                + "match ip src 192.168.8.0/24 classid 1:1 action drop");
        // The same match without sample sits in bucket 0, where no 192.168.8.x packet hashes.
        addLine(kit, "filter add dev eth0 ingress protocol ip prio 1 handle 1::800 u32 ht 1: match ip src 192.168.9.0/24 action drop");
        assertFalse(alive(kit.ingress(udp("192.168.8.7", "10.0.0.1", 1, 2))));
        assertTrue(alive(kit.ingress(udp("192.168.9.7", "10.0.0.1", 1, 2))), "bucket 9 is empty; the 9.0/24 filter is in bucket 0");
        assertTrue(alive(kit.ingress(udp("192.168.7.7", "10.0.0.1", 1, 2))));
    }

    @Test
    void sourceAndDestinationPrefixes() {
        TcKit kit = new TcKit();
        // match ip src 10.0.0.0/8 match ip dst 192.168.1.1/32
        add(kit, 1, root(at(0x0A00_0000, 0xFF00_0000, 12), at(0xC0A8_0101, -1, 16)), gact(Control.SHOT));
        assertFalse(alive(kit.ingress(udp("10.1.2.3", "192.168.1.1", 1, 2))));
        assertTrue(alive(kit.ingress(udp("11.1.2.3", "192.168.1.1", 1, 2))));
        assertTrue(alive(kit.ingress(udp("10.1.2.3", "192.168.1.2", 1, 2))));
    }

    @Test
    void u8AndU16KeysFoldedIntoTheirWord() {
        TcKit kit = new TcKit();
        // match ip protocol 6 0xff (u8 at 9, in the word at 8) and match ip tos 0x10 0xff (u8 at 1, in the word at 0)
        add(kit, 1, root(at(0x0006_0000, 0x00FF_0000, 8), at(0x0010_0000, 0x00FF_0000, 0)), markBits(1), gact(Control.CONTINUE));
        // match u16 0x0050 0xffff at nexthdr+2 (tcp dst 80), folded into the word at nexthdr+0
        add(kit, 2, root(nexthdr(80, 0xFFFF, 0)), markBits(2));
        assertEquals(3, kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").tos(0x10).tcp(1234, 80, Tcp.SYN).build()).mark);
        assertEquals(2, kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").tos(0x00).tcp(1234, 80, Tcp.SYN).build()).mark);
        assertEquals(2, kit.ingress(udp("10.0.0.1", "10.0.0.2", 1234, 80)).mark);
        assertEquals(1, kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").tos(0x10).tcp(1234, 81, Tcp.SYN).build()).mark);
    }

    @Test
    void nexthdrKeysFollowTheTransportHeaderPastIpOptions() {
        TcKit kit = new TcKit();
        add(kit, 1, root(nexthdr(80, 0xFFFF, 0)), gact(Control.SHOT));
        byte[] withOptions = eth().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(new byte[] {1, 1, 1, 0}).tcp(1234, 80, Tcp.SYN).build();
        assertFalse(alive(kit.ingress(withOptions)));
        assertTrue(alive(kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(new byte[] {1, 1, 1, 0}).tcp(1234, 81, Tcp.SYN).build())));
        // A later fragment has no transport header: a nexthdr+ key cannot match it.
        byte[] fragment = eth().ipv4("10.0.0.1", "10.0.0.2").fragment(8, false, 1).protocol(6).payload(new byte[] {0, 0, 0, 80}).build();
        assertTrue(alive(kit.ingress(fragment)));
    }

    @Test
    void anOffsetClauseLocatesTheHeaderForTheLinkedTable() {
        TcKit kit = new TcKit();
        // Table 1, one bucket; its node reads nexthdr+0 wherever the link put it.
        kit.add(filter(0, 1, EtherTypes.IPV4, 1, new U32Match(List.of(), 1, 0, 0, 0, 0, 1, null)));
        add(kit, 2, new U32Match(List.of(nexthdr(0x0101_0100, -1, 0)), 1, 0, 0, 0, 0, 0, null), gact(Control.SHOT));
        // offset plus 20: a fixed 20 bytes past the network header, i.e. the IPv4 options, not TCP.
        add(kit, 3, new U32Match(List.of(), ROOT, 0, 1, 0, 0, 0, new U32Match.Offset(0, 0, 0, 20, false)));
        byte[] withOptions = eth().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(new byte[] {1, 1, 1, 0}).tcp(1234, 80, Tcp.SYN).build();
        assertFalse(alive(kit.ingress(withOptions)), "the options word was read");
        assertTrue(alive(kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(new byte[] {1, 1, 0, 0}).tcp(1, 2, 0).build())));
    }

    @Test
    void eatMakesTheLocatedHeaderTheBaseOfPlainKeys() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV4, 1, new U32Match(List.of(), 1, 0, 0, 0, 0, 1, null)));
        // In table 1, "at 0" is the transport header: dst port 80.
        add(kit, 2, new U32Match(List.of(at(80, 0xFFFF, 0)), 1, 0, 0, 0, 0, 0, null), gact(Control.SHOT));
        // offset at 0 mask 0x0f00 shift 6 eat: the IHL, as tc's "u32 ... offset at 0 mask 0f00 shift 6 eat".
        add(kit, 3, new U32Match(List.of(at(0x0006_0000, 0x00FF_0000, 8)), ROOT, 0, 1, 0, 0, 0, new U32Match.Offset(0, 0x0F00, 6, 0, true)));
        assertFalse(alive(kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").ipv4Options(new byte[8]).tcp(1234, 80, Tcp.SYN).build())));
        assertFalse(alive(kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1234, 80, Tcp.SYN).build())));
        assertTrue(alive(kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").tcp(80, 1234, Tcp.SYN).build())));
    }

    /** The tc-u32(8) example: hash on the last byte of the source address into a 256-bucket table. */
    @Test
    void aHashTableReachedByLinkAndHashkey() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV4, 1, new U32Match(List.of(), 2, 0, 0, 0, 0, 256, null)));
        // ht 2:7b: match ip src 1.2.0.123 -> drop; ht 2:7c: match ip src 1.2.0.0/16 -> mark 4
        add(kit, 2, new U32Match(List.of(at(0x0102_007B, -1, 12)), 2, 0x7B, 0, 0, 0, 0, null), gact(Control.SHOT));
        add(kit, 3, new U32Match(List.of(at(0x0102_0000, 0xFFFF_0000, 12)), 2, 0x7C, 0, 0, 0, 0, null), markBits(4));
        // ht 800:: match ip src 1.2.0.0/16 hashkey mask 0x000000ff at 12 link 2:
        add(kit, 4, new U32Match(List.of(at(0x0102_0000, 0xFFFF_0000, 12)), ROOT, 0, 2, 0xFF, 12, 0, null));
        PacketBuffer hashed7b = kit.ingress(udp("1.2.0.123", "10.0.0.1", 1, 2));
        assertFalse(alive(hashed7b));
        assertEquals(0, hashed7b.mark, "bucket 7c was not visited");
        PacketBuffer hashed7c = kit.ingress(udp("1.2.0.124", "10.0.0.1", 1, 2));
        assertTrue(alive(hashed7c));
        assertEquals(4, hashed7c.mark);
        assertEquals(0, kit.ingress(udp("1.2.0.125", "10.0.0.1", 1, 2)).mark, "an empty bucket decides nothing");
        assertEquals(0, kit.ingress(udp("1.3.0.124", "10.0.0.1", 1, 2)).mark, "the link's own keys must match first");
    }

    @Test
    void theHashkeyMaskIsShiftedDownToItsLowestBit() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV4, 1, new U32Match(List.of(), 3, 0, 0, 0, 0, 16, null)));
        add(kit, 2, new U32Match(List.of(), 3, 5, 0, 0, 0, 0, null), markBits(1));
        // The third byte of the destination picks the bucket: mask 0x0000ff00, shift 8, modulo 16.
        add(kit, 3, new U32Match(List.of(), ROOT, 0, 3, 0x0000_FF00, 16, 0, null));
        assertEquals(1, kit.ingress(udp("10.0.0.1", "10.0.5.1", 1, 2)).mark);
        assertEquals(1, kit.ingress(udp("10.0.0.1", "10.0.21.1", 1, 2)).mark, "21 mod 16 is 5");
        assertEquals(0, kit.ingress(udp("10.0.0.1", "10.0.6.5", 1, 2)).mark);
    }

    @Test
    void aTerminalLinkNodeDecidesWhatItsTableDoesNot() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV4, 1, new U32Match(List.of(), 2, 0, 0, 0, 0, 256, null)));
        add(kit, 2, new U32Match(List.of(at(0x0102_007B, -1, 12)), 2, 0x7B, 0, 0, 0, 0, null), markBits(2), gact(Control.OK));
        add(kit, 3, new U32Match(List.of(at(0x0102_0000, 0xFFFF_0000, 12)), ROOT, 0, 2, 0xFF, 12, 0, null), markBits(1));
        assertEquals(2, kit.ingress(udp("1.2.0.123", "10.0.0.1", 1, 2)).mark, "the table decided");
        assertEquals(1, kit.ingress(udp("1.2.0.99", "10.0.0.1", 1, 2)).mark, "the link node's own actions ran");
    }

    @Test
    void nodesRunInHandleOrderAndContinueGoesToTheNext() {
        TcKit kit = new TcKit();
        add(kit, 20, root(at(0x0A00_0000, 0xFF00_0000, 12)), markBits(4));
        add(kit, 10, root(at(0x0A00_0000, 0xFF00_0000, 12)), markBits(1), gact(Control.CONTINUE));
        add(kit, 30, root(at(0x0A00_0000, 0xFF00_0000, 12)), markBits(8));
        assertEquals(5, kit.ingress(udp("10.0.0.1", "10.0.0.2", 1, 2)).mark, "10 continued to 20, which ended it");
    }

    @Test
    void aWordOutsideTheFrameDoesNotMatch() {
        TcKit kit = new TcKit();
        add(kit, 1, root(at(0, 0, 1500)), markBits(1));
        add(kit, 2, root(at(0, 0, 0)), markBits(2));
        assertEquals(2, kit.ingress(udp("10.0.0.1", "10.0.0.2", 1, 2)).mark);
    }

    @Test
    void aNodeWithoutActionsOrLinkDecidesNothing() {
        TcKit kit = new TcKit();
        add(kit, 1, root(at(0x0A00_0000, 0xFF00_0000, 12)));
        add(kit, 2, root(), markBits(2));
        assertEquals(2, kit.ingress(udp("10.0.0.1", "10.0.0.2", 1, 2)).mark);
    }
}
