package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netfence.tc.api.TcService.Mode;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chains: explicit and implicit ones, chain 0, and goto chain references. */
class ChainTest extends TcFixture {
    FakeSoftware sw;

    @BeforeEach
    void setUp() {
        sw = provider(new FakeSoftware());
        clsact("eth0");
    }

    @Test
    void chainsComeFromTcChainAddOrFromFilters() {
        assertEquals(List.of(), core.chains(ETH0_IN));
        core.addChain(ETH0_IN, 7);
        assertEquals(List.of(7), core.chains(ETH0_IN));
        refused(() -> core.addChain(ETH0_IN, 7), "chain 7", "Filter chain already exists");

        core.addFilter(flower(ETH0_IN, 3, 1, 0, 1, drop()), Mode.ADD);
        assertEquals(List.of(0, 3, 7), core.chains(ETH0_IN), "chain 0 exists once the block has filters");
        refused(() -> core.addChain(ETH0_IN, 3), "chain 3", "already exists");

        // An implicit chain leaves with its last filter; an explicit one stays.
        core.addFilter(flower(ETH0_IN, 7, 1, 0, 2, drop()), Mode.ADD);
        core.deleteFilters(ETH0_IN, 3, 0, 0, 0);
        core.deleteFilters(ETH0_IN, 7, 0, 0, 0);
        assertEquals(List.of(7), core.chains(ETH0_IN));
        assertEquals(List.of(), core.chains(ETH0_OUT));
        refused(() -> core.addChain(ETH0_IN, -1), "chain: expected an index");
    }

    @Test
    void aChainAGotoTargetsCannotBeDeleted() {
        core.addFilter(flower(ETH0_IN, 0, 1, 0, 1, gotoChain(5)), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 5, 1, 0, 2, drop()), Mode.ADD);
        // A filter in chain 5 that goes back to chain 5 goes with it, so it does not hold the chain.
        core.addFilter(flower(ETH0_IN, 5, 2, 0, 3, gotoChain(5)), Mode.ADD);
        refused(() -> core.deleteChain(ETH0_IN, 5), "chain 5", "chain 0 prio 1 handle 0x1", "goto chain 5");
        assertEquals(3, core.filters(ETH0_IN, -1).size());

        core.deleteFilters(ETH0_IN, 0, 1, 0, 1);
        core.deleteChain(ETH0_IN, 5);
        assertEquals(List.of(), core.chains(ETH0_IN));
        assertEquals(0, sw.installed.size());
        refused(() -> core.deleteChain(ETH0_IN, 5), "chain 5", "Cannot find specified filter chain");
    }

    @Test
    void gotoTargetsMayBeChainsWithoutFilters() {
        core.addFilter(flower(ETH0_IN, 0, 1, 0, 1, gotoChain(9)), Mode.ADD);
        assertEquals(List.of(0), core.chains(ETH0_IN));
        core.addChain(ETH0_IN, 9);
        refused(() -> core.deleteChain(ETH0_IN, 9), "chain 9", "goto chain 9");
    }

    @Test
    void deletingAChainDeletesItsFilters() {
        core.addChain(ETH0_IN, 2);
        core.addFilter(flower(ETH0_IN, 2, 1, 0, 1, drop()), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 2, 2, 0, 2, drop()), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 0, 1, 0, 3, drop()), Mode.ADD);
        core.deleteChain(ETH0_IN, 2);
        assertEquals(List.of(0), core.chains(ETH0_IN));
        assertEquals(1, sw.installed.size());
        assertEquals(1, core.actions("gact").size());
    }
}
