package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Qdiscs, their hooks' blocks, and shared blocks' lifetime. */
class QdiscTest extends TcFixture {
    @Test
    void aQdiscNeedsItsDevice() {
        refused(() -> clsact("eth9"), "dev eth9", "Cannot find device \"eth9\"");
        assertEquals(List.of(), core.qdiscs());
    }

    @Test
    void addReplaceAndChangeFollowTc() {
        clsact("eth0");
        refused(() -> clsact("eth0"), "qdisc clsact", "eth0 already has a clsact qdisc", "Exclusivity flag on");
        core.addQdisc(new Qdisc("eth0", Qdisc.Kind.CLSACT, 0, 0), Mode.REPLACE);
        refused(() -> core.addQdisc(new Qdisc("eth0", Qdisc.Kind.INGRESS, 0, 0), Mode.REPLACE), "qdisc ingress", "has a clsact qdisc");
        refused(() -> core.addQdisc(new Qdisc("eth0", Qdisc.Kind.CLSACT, 5, 0), Mode.REPLACE), "ingress_block", "Change of blocks is not supported");
        refused(() -> core.addQdisc(new Qdisc("eth1", Qdisc.Kind.CLSACT, 0, 0), Mode.CHANGE), "qdisc clsact", "eth1 has no qdisc to change");
        core.addQdisc(new Qdisc("eth1", Qdisc.Kind.INGRESS, 0, 0), Mode.REPLACE);
        assertEquals(List.of(new Qdisc("eth0", Qdisc.Kind.CLSACT, 0, 0), new Qdisc("eth1", Qdisc.Kind.INGRESS, 0, 0)), core.qdiscs());
    }

    @Test
    void theIngressQdiscHasNoEgressHook() {
        core.addQdisc(new Qdisc("eth0", Qdisc.Kind.INGRESS, 0, 0), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        refused(() -> core.addFilter(flower(ETH0_OUT, 1, 0, 1, drop()), Mode.ADD), "egress", "no egress hook");
        refused(() -> core.addFilter(flower(ETH1_IN, 1, 0, 1, drop()), Mode.ADD), "dev eth1", "no clsact or ingress qdisc");
    }

    @Test
    void eachHookHasItsOwnBlockUnlessItNamesASharedOne() {
        FakeSoftware sw = provider(new FakeSoftware());
        clsact("eth0");
        clsact("eth1", 10, 0);
        clsact("eth2", 10, 0);
        // Own blocks for eth0's hooks and eth1/eth2 egress; one block 10 for both ingresses.
        assertEquals(6, sw.bindings.size());
        long shared = sw.bindings.stream().filter(b -> b.dev().equals("eth1") && b.hook() == TcHook.INGRESS).findFirst().orElseThrow().block();
        assertTrue(sw.bindings.stream().anyMatch(b -> b.dev().equals("eth2") && b.hook() == TcHook.INGRESS && b.block() == shared));
        assertEquals(5, sw.bindings.stream().map(RecordingProvider.Bound::block).distinct().count());

        // A dev hook that uses a shared block resolves to it.
        core.addFilter(flower(BlockRef.shared(10), 1, 0, 1, drop()), Mode.ADD);
        assertEquals(1, core.filters(ETH1_IN, -1).size());
        FilterInfo viaEth2 = core.filters(BlockRef.of("eth2", TcHook.INGRESS), -1).get(0);
        assertEquals(BlockRef.shared(10), viaEth2.filter().where(), "a filter of a shared block is named by its block");
        assertEquals(0, core.filters(ETH0_IN, -1).size());
    }

    @Test
    void filtersOfASharedBlockNeedAQdiscNamingIt() {
        refused(() -> core.addFilter(flower(BlockRef.shared(7), 1, 0, 1, drop()), Mode.ADD), "block 7", "Block of given index was not found");
    }

    @Test
    void aSharedBlockLivesWhileAQdiscUsesIt() {
        FakeSoftware sw = provider(new FakeSoftware());
        clsact("eth1", 10, 0);
        clsact("eth2", 10, 0);
        core.addFilter(flower(BlockRef.shared(10), 1, 0, 1, drop()), Mode.ADD);
        long cookie = sw.cookieOf(1, 1);

        core.deleteQdisc("eth1", null);
        assertEquals(1, core.filters(BlockRef.shared(10), -1).size(), "eth2 still uses block 10");
        assertTrue(sw.installed.containsKey(cookie));
        assertTrue(sw.calls.contains("unbind eth1 ingress " + sw.installed.get(cookie).block()));

        core.deleteQdisc("eth2", Qdisc.Kind.CLSACT);
        refused(() -> core.filters(BlockRef.shared(10), -1), "block 10");
        assertEquals(List.of(), List.copyOf(sw.installed.keySet()));
        assertEquals(List.of(), List.copyOf(sw.bindings));
        assertEquals(0, core.actions("gact").size(), "the filter's inline action died with it");

        // Block 10 made again is a new, empty block.
        clsact("eth1", 10, 0);
        assertEquals(List.of(), core.filters(BlockRef.shared(10), -1));
    }

    @Test
    void deletingAQdiscDeletesItsBlocksFilters() {
        FakeSoftware sw = provider(new FakeSoftware());
        clsact("eth0");
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        core.addFilter(flower(ETH0_OUT, 1, 0, 2, drop()), Mode.ADD);
        refused(() -> core.deleteQdisc("eth0", Qdisc.Kind.INGRESS), "qdisc ingress", "eth0 has no such qdisc");
        core.deleteQdisc("eth0", null);
        assertEquals(List.of(), core.qdiscs());
        assertEquals(0, sw.installed.size());
        assertEquals(0, sw.bindings.size());
        assertEquals(List.of(), core.actions(null));
        refused(() -> core.deleteQdisc("eth0", null), "eth0 has no such qdisc");
        // Filters come back only with a qdisc.
        clsact("eth0");
        assertEquals(List.of(), core.filters(ETH0_IN, -1));
    }
}
