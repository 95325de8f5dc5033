package io.netfence.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-packet path must not allocate. Measured with the thread's allocation counter from the
 * start (mostly interpreted code, where escape analysis cannot hide a {@code new}).
 */
class AllocationTest {
    @Test
    void dissectorChecksumsAndHeaderWritesDoNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[][] frames = {
            PacketBuilder.ethernet(1, 2).ipv4(Frames.IP_A, Frames.IP_B).udp(1, 2).size(64).build(),
            PacketBuilder.ethernet(1, 2).vlan(3, 0).ipv6(Frames.V6_A_HI, 1, Frames.V6_B_HI, 2)
                    .extensionHeader(Ipv6.HOPOPTS, 8).extensionHeader(Ipv6.DSTOPTS, 16).tcp(1, 2, Tcp.SYN).size(128).build(),
            PacketBuilder.ethernet(1, 2).ipv4(Frames.IP_A, Frames.IP_B).icmpEcho(1, 1).build(),
            PacketBuilder.ethernet(1, 2).arpRequest(1, 2, 3).build(),
            PacketBuilder.ethernet(1, 2).ipv6(0, 1, 0xFF02_0000_0000_0000L, 1).neighborSolicit(0, 9, 7).build(),
            PacketBuilder.ethernet(1, 2).ipv4(Frames.IP_A, Frames.IP_B).udp(1, 2).build(),
        };
        frames[5][20]++; // a bad IPv4 checksum: the drop path must not allocate either
        PacketBuffer[] buffers = new PacketBuffer[frames.length];
        for (int i = 0; i < frames.length; i++) {
            buffers[i] = new PacketBuffer(256);
            buffers[i].load(frames[i], 0, frames[i].length);
        }
        long sink = run(buffers, 100); // class initialisation happens here
        long before = mx.getCurrentThreadAllocatedBytes();
        sink += run(buffers, 50_000);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, allocated + " bytes allocated over 300000 packets");
        assertTrue(sink != 0);
        assertEquals(-1, FlowDissector.dissect(buffers[1]));
    }

    private static long run(PacketBuffer[] buffers, int rounds) {
        long sink = 0;
        for (int n = 0; n < rounds; n++) {
            for (PacketBuffer p : buffers) {
                sink += FlowDissector.dissect(p);
                if (FlowDissector.l4ChecksumValid(p)) {
                    sink++;
                }
                FlowKey k = p.key;
                if (k.ipVersion == 4) {
                    Ipv4.setTtl(p.data, k.l3Offset, 64);
                    Ipv4.decrementTtl(p.data, k.l3Offset);
                    sink += Ipv4.checksum(p.data, k.l3Offset);
                } else if (k.ipVersion == 6) {
                    Ipv6.setHopLimit(p.data, k.l3Offset, 64);
                    Ipv6.decrementHopLimit(p.data, k.l3Offset);
                    if (k.ipProto == Icmpv6.PROTO) {
                        sink += Icmpv6.linkLayerOption(p.data, k.l4Offset, p.offset + p.length - k.l4Offset, Icmpv6.SOURCE_LL_ADDR);
                    }
                }
                Vlan.push(p, Vlan.TPID_8021Q, 9, 1);
                Vlan.pop(p);
                sink += Checksum.update32(Checksum.sum(p.data, p.offset, p.length, 0), k.ipv4Src, k.ipv4Dst);
            }
        }
        return sink;
    }
}
