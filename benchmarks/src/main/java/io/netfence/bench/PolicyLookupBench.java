package io.netfence.bench;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.net.spi.XfrmLayer;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.internal.XfrmCore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Output policy lookup with 10, 1k and 100k policies (host-to-host /32 pairs, as a VPN
 * concentrator with many peers has, plus four site-wide /16 and /8 policies): the cost must not
 * grow with the number of policies, only with the number of distinct prefix-length pairs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PolicyLookupBench {
    @Param({"10", "1000", "100000"})
    public int policies;

    private XfrmCore core;
    private final PacketBuffer[] packets = new PacketBuffer[1024];
    private int next;

    @Setup
    public void setUp() {
        core = new XfrmCore();
        core.setSoftwareBackend(new SoftwareXfrmProvider());
        List<XfrmPolicy> hosts = new java.util.ArrayList<>();
        for (int i = 0; i < policies; i++) {
            hosts.add(policy(IpAddress.v4(0x0A00_0000 + i), 32, IpAddress.v4(0x1400_0000 + i), 32, 100));
        }
        core.addPolicies(hosts);
        core.addPolicy(policy(IpAddress.v4(0x0A00_0000), 16, IpAddress.v4(0x1E00_0000), 16, 200));
        core.addPolicy(policy(IpAddress.v4(0x0B00_0000), 8, IpAddress.v4(0x1F00_0000), 8, 200));
        core.addPolicy(policy(IpAddress.v4(0x0B00_0000), 8, IpAddress.v4(0x1F00_0000), 16, 200));
        core.addPolicy(policy(IpAddress.v4(0x0B00_0000), 16, IpAddress.v4(0x1F00_0000), 8, 200));
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < packets.length; i++) {
            int n = r.nextInt(policies);
            byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                    .ipv4(IpAddress.v4(0x0A00_0000 + n), IpAddress.v4(0x1400_0000 + n)).udp(1000, 2000).build();
            packets[i] = new PacketBuffer();
            packets[i].load(f, 0, f.length);
            FlowDissector.dissect(packets[i]);
        }
    }

    static XfrmPolicy policy(IpAddress src, int slen, IpAddress dst, int dlen, int priority) {
        return new XfrmPolicy(new Selector(new IpPrefix(src.mask(slen), slen), new IpPrefix(dst.mask(dlen), dlen), 0, 0, 0, 0, 0, null),
                XfrmDirection.OUT, priority, XfrmPolicy.Action.BLOCK, 0, List.of(), 0, Mark.NONE, Lifetime.NONE, null);
    }

    /** Every packet matches one host policy, which blocks it: the lookup is the whole cost. */
    @Benchmark
    public int lookup() {
        PacketBuffer p = packets[next++ & (packets.length - 1)];
        int r = core.outputLookup(p, 0);
        if (r != XfrmLayer.DROPPED) {
            throw new IllegalStateException("no policy matched");
        }
        return r;
    }
}
