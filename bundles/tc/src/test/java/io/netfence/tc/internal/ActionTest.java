package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netfence.tc.api.ActionInfo;
import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.TcService.Mode;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.SharedAction;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared actions: indexes, ref and bind counts, replace, delete and flush. */
class ActionTest extends TcFixture {
    FakeSoftware sw;

    static PoliceAction police(int index, long rate) {
        return new PoliceAction(index, rate, 10_000, 0, 0, 0, Control.PIPE, Control.SHOT);
    }

    @BeforeEach
    void setUp() {
        sw = provider(new FakeSoftware());
        clsact("eth0");
    }

    ActionInfo police(int index) {
        return core.getAction("police", index);
    }

    @Test
    void indexesAreTheLowestFreeFrom1PerKind() {
        assertEquals(1, core.addAction(police(0, 1000), Mode.ADD).action().index());
        assertEquals(2, core.addAction(police(0, 1000), Mode.ADD).action().index());
        assertEquals(7, core.addAction(police(7, 1000), Mode.ADD).action().index());
        assertEquals(1, core.addAction(GactAction.of(Control.SHOT), Mode.ADD).action().index(), "each kind has its own indexes");
        core.deleteAction("police", 1);
        assertEquals(1, core.addAction(police(0, 1000), Mode.ADD).action().index());
        assertEquals(3, core.addAction(police(0, 1000), Mode.ADD).action().index());
        assertEquals(List.of(1, 2, 3, 7), core.actions("police").stream().map(a -> a.action().index()).toList());
        assertEquals(5, core.actions(null).size());
    }

    /** gact 1, 2 and 4 in use in a core that never allocated an index itself, as after a restart replayed tc.conf. */
    void replayedGact124() {
        for (int i : new int[] {1, 2, 4}) {
            core.addFilter(flower(ETH0_IN, 1, i, i, GactAction.of(Control.SHOT).withIndex(i)), Mode.ADD);
        }
    }

    @Test
    void aRefusedLineLeavesTheNextFreeIndexAlone() {
        replayedGact124();
        // tc filter add ... action gact drop index 202 action mirred egress redirect dev nosuch0: gact 202 is made, then taken back.
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 0, 9, GactAction.of(Control.SHOT).withIndex(202),
                new MirredAction(0, null, false, true, "nosuch0")), Mode.ADD), "nosuch0");
        assertEquals(List.of(1, 2, 4), core.actions("gact").stream().map(a -> a.action().index()).toList());
        assertEquals(3, core.addFilter(flower(ETH0_IN, 1, 0, 10, drop()), Mode.ADD).actions().get(0).action().index());
        assertEquals(5, core.addFilter(flower(ETH0_IN, 1, 0, 11, drop()), Mode.ADD).actions().get(0).action().index());
    }

    @Test
    void aFreedIndexAfterARestartDoesNotHideLowerFreeOnes() {
        replayedGact124();
        core.deleteFilters(ETH0_IN, 0, 1, 0, 4);
        assertEquals(3, core.addFilter(flower(ETH0_IN, 1, 0, 10, drop()), Mode.ADD).actions().get(0).action().index());
        assertEquals(4, core.addFilter(flower(ETH0_IN, 1, 0, 11, drop()), Mode.ADD).actions().get(0).action().index());
    }

    @Test
    void refAndBindCountLikeTc() {
        core.addAction(police(1, 1000), Mode.ADD);
        assertEquals(List.of(1, 0), List.of(police(1).refCount(), police(1).bindCount()), "tc actions add: ref 1 bind 0");

        core.addFilter(flower(ETH0_IN, 1, 0, 1, new ActionRef("police", 1)), Mode.ADD);
        assertEquals(List.of(2, 1), List.of(police(1).refCount(), police(1).bindCount()));
        // An inline action with the index of an existing one binds it (its own parameters are ignored, as Linux does).
        core.addFilter(flower(ETH0_IN, 1, 0, 2, police(1, 999_999)), Mode.ADD);
        assertEquals(List.of(3, 2), List.of(police(1).refCount(), police(1).bindCount()));
        assertEquals(1000, ((PoliceAction) police(1).action()).rateBytesPerSecond());

        // Inline actions without an index are created for their filter: ref 1 bind 1.
        ActionInfo inline = core.addFilter(flower(ETH0_IN, 1, 0, 3, drop()), Mode.ADD).actions().get(0);
        assertEquals(List.of(1, 1, 1), List.of(inline.action().index(), inline.refCount(), inline.bindCount()));

        // Every filter binding police 1 hands providers the same object.
        List<SharedAction> shared = sw.installed.values().stream().flatMap(f -> f.actions().stream()).filter(a -> a.kind().equals("police")).toList();
        assertEquals(2, shared.size());
        assertSame(shared.get(0), shared.get(1));

        refused(() -> core.deleteAction("police", 1), "index 1", "bound by 2 filters");
        refused(() -> core.deleteAction("gact", 1), "index 1", "bound by 1 filter");
        core.deleteFilters(ETH0_IN, -1, 0, 0, 0);
        assertEquals(List.of(1, 0), List.of(police(1).refCount(), police(1).bindCount()), "the table's own reference stays");
        assertEquals(List.of(), core.actions("gact"), "an action made by a filter goes with it");
        core.deleteAction("police", 1);
        refused(() -> core.deleteAction("police", 1), "index 1", "no police action with that index");
    }

    @Test
    void anInlineActionWithANewIndexIsCreatedAndSharedByLaterFilters() {
        core.addFilter(flower(ETH0_IN, 1, 0, 1, new GactAction(5, Control.SHOT, null, null, 0)), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 1, 0, 2, new GactAction(5, Control.OK, null, null, 0)), Mode.ADD);
        ActionInfo five = core.getAction("gact", 5);
        assertEquals(List.of(2, 2), List.of(five.refCount(), five.bindCount()));
        assertEquals(Control.SHOT, five.action().control());
        core.deleteFilters(ETH0_IN, 0, 1, 0, 1);
        assertEquals(1, core.getAction("gact", 5).bindCount());
        core.deleteFilters(ETH0_IN, 0, 1, 0, 2);
        refused(() -> core.getAction("gact", 5), "index 5", "TC action with specified index not found");
    }

    @Test
    void addReplaceAndChange() {
        refused(() -> core.addAction(police(3, 1000), Mode.CHANGE), "index 3", "no police action with that index");
        core.addAction(police(3, 1000), Mode.ADD);
        refused(() -> core.addAction(police(3, 2000), Mode.ADD), "index 3", "exists; use replace");
        core.addAction(police(3, 2000), Mode.REPLACE);
        core.addAction(police(3, 3000), Mode.CHANGE);
        assertEquals(3000, ((PoliceAction) police(3).action()).rateBytesPerSecond());
        refused(() -> core.addAction(new ActionRef("police", 3), Mode.REPLACE), "action police index 3", "give the action's parameters");
        refused(() -> core.addAction(new MirredAction(0, null, false, true, "eth9"), Mode.ADD), "mirred dev eth9", "Cannot find device");
        refused(() -> core.addAction(gotoChain(2), Mode.ADD), "goto chain 2", "can't use goto chain with NULL proto");
        assertEquals(1, core.actions(null).size());
    }

    @Test
    void replaceGivesBindingFiltersTheNewParametersAndKeepsCounters() {
        core.addAction(police(1, 1000), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 1, 0, 1, new ActionRef("police", 1)), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 1, 0, 2, new ActionRef("police", 1)), Mode.ADD);
        long c1 = sw.cookieOf(1, 1);
        long c2 = sw.cookieOf(1, 2);
        SharedAction before = sw.installed.get(c1).actions().get(0);
        // The software dataplane counts the shared action once, and reports it with each filter.
        TcStats counted = new TcStats(1500, 10, 2, 2, 5000);
        sw.stats.put(c1, new ClsStats(new TcStats(900, 6, 0, 0, 5000), List.of(counted)));
        sw.stats.put(c2, new ClsStats(new TcStats(600, 4, 0, 0, 4000), List.of(counted)));
        assertEquals(counted, police(1).software());

        core.addAction(police(1, 2000), Mode.REPLACE);
        SharedAction after = sw.installed.get(c1).actions().get(0);
        assertNotSame(before, after);
        assertSame(after, sw.installed.get(c2).actions().get(0));
        assertEquals(2000, ((PoliceAction) after.action()).rateBytesPerSecond());
        assertEquals(2000, ((PoliceAction) core.getFilter(ETH0_IN, 0, 1, 0, 2).filter().actions().get(0)).rateBytesPerSecond());
        // Providers count the new object from zero: what the old one counted is kept by the core.
        sw.stats.put(c1, new ClsStats(TcStats.ZERO, List.of(new TcStats(100, 1, 0, 0, 6000))));
        sw.stats.put(c2, new ClsStats(TcStats.ZERO, List.of(new TcStats(100, 1, 0, 0, 6000))));
        assertEquals(new TcStats(1600, 11, 2, 2, 6000), police(1).software());
        assertEquals(5000, police(1).firstUsedMillis());

        // And when its last filter goes, the action keeps what it counted.
        core.deleteFilters(ETH0_IN, 0, 0, 0, 0);
        assertEquals(new TcStats(1600, 11, 2, 2, 6000), police(1).software());
        assertEquals(TcStats.ZERO, police(1).hardware());
    }

    @Test
    void flushDeletesOnlyUnboundActions() {
        core.addAction(police(1, 1000), Mode.ADD);
        core.addAction(police(2, 1000), Mode.ADD);
        core.addAction(police(3, 1000), Mode.ADD);
        core.addAction(GactAction.of(Control.OK), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 1, 0, 1, new ActionRef("police", 2)), Mode.ADD);
        assertEquals(2, core.flushActions("police"));
        assertEquals(List.of(2), core.actions("police").stream().map(a -> a.action().index()).toList());
        assertEquals(1, core.actions("gact").size());
        assertEquals(1, core.flushActions(null));
        assertEquals(List.of("police"), core.actions(null).stream().map(a -> a.action().kind()).toList());
    }
}
