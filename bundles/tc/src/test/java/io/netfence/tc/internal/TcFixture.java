package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcException;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService.Mode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/** A core over devices eth0..eth3 and ipsec0, with helpers to write filters the way tc lines read. */
abstract class TcFixture {
    static final BlockRef ETH0_IN = BlockRef.of("eth0", TcHook.INGRESS);
    static final BlockRef ETH0_OUT = BlockRef.of("eth0", TcHook.EGRESS);
    static final BlockRef ETH1_IN = BlockRef.of("eth1", TcHook.INGRESS);

    final Set<String> devices = new HashSet<>(Set.of("eth0", "eth1", "eth2", "eth3", "ipsec0"));
    final AtomicLong clock = new AtomicLong(1_000_000);
    final List<String> warnings = new ArrayList<>();
    final TcCore core = new TcCore(devices::contains, clock::get) {
        @Override
        protected void warn(String message) {
            warnings.add(message);
        }
    };
    final List<RecordingProvider> providers = new ArrayList<>();

    <P extends RecordingProvider> P provider(P p) {
        providers.add(p);
        core.addProvider(p);
        return p;
    }

    @AfterEach
    void providersKeptTheRules() {
        for (RecordingProvider p : providers) {
            assertEquals(List.of(), p.violations, p.name() + " was called against the SPI's rules");
        }
    }

    void clsact(String dev) {
        core.addQdisc(new Qdisc(dev, Qdisc.Kind.CLSACT, 0, 0), Mode.ADD);
    }

    void clsact(String dev, int ingressBlock, int egressBlock) {
        core.addQdisc(new Qdisc(dev, Qdisc.Kind.CLSACT, ingressBlock, egressBlock), Mode.ADD);
    }

    static GactAction drop() {
        return GactAction.of(Control.SHOT);
    }

    static GactAction gotoChain(int chain) {
        return GactAction.of(Control.gotoChain(chain));
    }

    /** {@code flower dst_ip 10.0.0.N} with protocol ip. */
    static FlowerMatch dst(int n) {
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.dstIp = Masked.exact(0x0A00_0000L | n, 32);
        return b.build();
    }

    /** {@code tc filter add WHERE chain C prio P protocol ip handle H flower dst_ip 10.0.0.N action ...}. */
    static Filter flower(BlockRef where, int chain, int prio, long handle, int dst, Action... actions) {
        return new Filter(where, chain, prio, EtherTypes.IPV4, handle, dst(dst), List.of(actions), false, false, 0);
    }

    static Filter flower(BlockRef where, int prio, long handle, int dst, Action... actions) {
        return flower(where, 0, prio, handle, dst, actions);
    }

    static Filter skipSw(Filter f) {
        return new Filter(f.where(), f.chain(), f.prio(), f.protocol(), f.handle(), f.classifier(), f.actions(), true, false, f.classid());
    }

    static Filter skipHw(Filter f) {
        return new Filter(f.where(), f.chain(), f.prio(), f.protocol(), f.handle(), f.classifier(), f.actions(), false, true, f.classid());
    }

    /** Asserts a refusal whose message contains every fragment (the token at fault first). */
    static TcException refused(Executable call, String... fragments) {
        TcException e = assertThrows(TcException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
        return e;
    }
}
