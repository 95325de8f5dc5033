package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Tcp;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.PortRange;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.U32Match;
import io.netfence.tc.api.VlanAction;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Classifying allocates nothing per packet: every classifier, every action, both hooks, reclassify and goto. */
class TcAllocationTest {
    private static final int BATCH = 64;
    /** values() clones its array: taken once so the measured loop allocates nothing of its own. */
    private static final TcHook[] HOOKS = TcHook.values();

    @Test
    void classifyingAllocatesNothingPerPacket() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, TcKit.BLOCK));
        // chain 0: a matchall that marks and continues, then flower over several masks and ranges.
        kit.add(matchAll(0, 1, new SkbeditAction(0, Control.PIPE, 1, 1, 3), new SampleAction(0, null, 2, 1, 0), gact(Control.CONTINUE)));
        for (int i = 0; i < 1000; i++) {
            FlowerMatch.Builder b = FlowerMatch.builder();
            b.ipProto = i % 2 == 0 ? 17 : 6;
            b.dstIp = Masked.of(0x0A00_0000L | i, i % 3 == 0 ? 0xFFFF_FFFFL : 0xFFFF_FF00L);
            if (i % 5 == 0) {
                b.dstPort = new PortRange(1000, 3000);
            }
            kit.offer(filter(0, 2, EtherTypes.IPV4, 100 + i, b.build(), gact(Control.SHOT)));
        }
        FlowerMatch.Builder udp = FlowerMatch.builder();
        udp.ipProto = 17;
        udp.dstIp = Masked.of(0xC0A8_0001L, 0xFFFF_FFFFL);
        kit.offer(filter(0, 2, EtherTypes.IPV4, 1, udp.build(),
                new PeditAction(0, Control.PIPE, List.of(new PeditAction.Key(PeditAction.Header.IP4, 8, 0xFF00_0000, 0x00FF_FFFF, PeditAction.Cmd.ADD))),
                new CsumAction(0, Control.PIPE, CsumAction.IPH | CsumAction.UDP),
                new PoliceAction(0, 1L << 40, 1L << 30, 0, 0, 0, Control.PIPE, Control.SHOT),
                new GactAction(0, Control.PIPE, GactAction.RandomKind.DETERM, Control.PIPE, 3),
                gact(Control.gotoChain(1))));
        kit.offer(filter(0, 3, EtherTypes.IPV6, 0, FlowerMatch.ANY, gact(Control.RECLASSIFY)));
        kit.offer(filter(0, 4, EtherTypes.IPV4, 0, new MatchAll(), gact(Control.OK)));
        // chain 1: u32 through a hash table, vlan push and pop, then a redirect.
        kit.offer(filter(1, 1, EtherTypes.IPV4, 1, new U32Match(List.of(), 2, 0, 0, 0, 0, 16, null)));
        kit.offer(filter(1, 1, EtherTypes.IPV4, 2, new U32Match(List.of(new U32Match.Key(0xC0A8_0001, -1, 16, false)), 2, 1, 0, 0, 0, 0, null),
                new VlanAction(0, null, VlanAction.Op.PUSH, 5, 1, EtherTypes.VLAN), new VlanAction(0, null, VlanAction.Op.POP, 0, -1, 0),
                new MirredAction(0, null, false, true, "eth2")));
        kit.offer(filter(1, 1, EtherTypes.IPV4, 3, new U32Match(List.of(new U32Match.Key(17 << 16, 0xFF << 16, 8, false)),
                U32Match.ROOT_TABLE, 0, 2, 0x0F, 16, 0, null)));
        kit.tc.commit();

        byte[][] frames = {
            eth().ipv4("10.9.9.9", "192.168.0.1").udp(5, 2000).size(200).build(),
            eth().ipv4("10.9.9.9", "10.0.0.7").tcp(5, 2000, Tcp.SYN).build(),
            eth().ipv4("10.9.9.9", "10.0.0.10").udp(5, 2000).build(),
            eth().ipv4("10.9.9.9", "10.9.0.10").udp(5, 2000).build(),
            eth().ipv6("2001:db8::1", "2001:db8::2").udp(5, 6).build(),
        };
        PacketBuffer[] buffers = new PacketBuffer[BATCH];
        for (int i = 0; i < BATCH; i++) {
            buffers[i] = new PacketBuffer();
        }
        PacketBatch batch = PacketBatch.referring(BATCH);
        int[] fates = run(kit, frames, buffers, batch, 3000); // warm up: the JIT compiles and inlines the path
        assertTrue(fates[0] > 0 && fates[1] > 0 && fates[2] > 0, "some packets went on, some were dropped, some redirected");

        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(id);
        run(kit, frames, buffers, batch, 3000);
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 64 * 1024, allocated + " bytes for " + 3000 * BATCH * 2 + " packets classified");
        assertTrue(kit.tc.reclassifyLoopDrops() > 0, "the IPv6 packets went round to the loop bound");
    }

    /** Runs {@code rounds} batches through eth0's ingress and eth1's egress; counts packets alive, dropped and redirected. */
    private static int[] run(TcKit kit, byte[][] frames, PacketBuffer[] buffers, PacketBatch batch, int rounds) {
        int[] fates = new int[3];
        for (int r = 0; r < rounds; r++) {
            for (TcHook hook : HOOKS) {
                batch.clear();
                for (int i = 0; i < BATCH; i++) {
                    PacketBuffer p = buffers[i];
                    byte[] f = frames[(r + i) % frames.length];
                    p.load(f, 0, f.length);
                    p.inPort = hook == TcHook.INGRESS ? TcKit.ETH0 : TcKit.ETH2;
                    p.outPort = hook == TcHook.INGRESS ? -1 : TcKit.ETH1;
                    FlowDissector.dissect(p);
                    batch.add(p);
                }
                if (hook == TcHook.INGRESS) {
                    kit.tc.ingressStage().process(batch, TcKit.ETH0);
                } else {
                    kit.tc.egressStage().process(batch, TcKit.ETH1);
                }
                for (int i = 0; i < BATCH; i++) {
                    PacketBuffer p = buffers[i];
                    fates[p.dropReason >= 0 ? 1 : p.outPort == TcKit.ETH2 ? 2 : 0]++;
                }
            }
        }
        return fates;
    }
}
