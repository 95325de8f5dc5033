package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.tc.api.BlockRef;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.Qdisc;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcService.Mode;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.spi.ClsOffload;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.TcOffloadProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where filters run: software, devices, skip flags, in_hw_count and the reasons for not_in_hw; rollback; counters; providers coming and going. */
class OffloadTest extends TcFixture {
    static final BlockRef BLOCK10 = BlockRef.shared(10);

    FilterInfo only(BlockRef where) {
        List<FilterInfo> all = core.filters(where, -1);
        assertEquals(1, all.size());
        return all.get(0);
    }

    @Test
    void skipSwIsRefusedWithOnlyTheSoftwareBackend() {
        FakeSoftware sw = provider(new FakeSoftware());
        clsact("eth0");
        int commits = sw.commits;
        refused(() -> core.addFilter(skipSw(flower(ETH0_IN, 1, 0, 1, drop())), Mode.ADD), "skip_sw: Filter with skip_sw flag cannot be offloaded",
                "no device under dev eth0 ingress can take it", "no offload device drives eth0");
        assertEquals(List.of(), core.filters(ETH0_IN, -1));
        assertEquals(List.of(), core.actions(null));
        assertEquals(0, sw.installed.size());
        assertEquals(commits, sw.commits, "a refused change commits nothing");
    }

    @Test
    void skipSwRunsOnTheDeviceAlone() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        FilterInfo info = core.addFilter(skipSw(flower(ETH0_IN, 1, 0, 1, drop())), Mode.ADD);
        assertEquals(1, info.inHwCount());
        assertNull(info.notInHwReason());
        assertEquals(1, nsim.installed.size());
        assertEquals(0, sw.installed.size());
    }

    @Test
    void aPlainFilterRunsInSoftwareAndInTheDevice() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        clsact("eth1");
        FilterInfo info = core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        assertTrue(info.inHw());
        assertEquals(1, sw.installed.size());
        assertEquals(1, nsim.installed.size());
        // eth1 has no device: its filter runs in software only.
        FilterInfo soft = core.addFilter(flower(ETH1_IN, 1, 0, 1, drop()), Mode.ADD);
        assertFalse(soft.inHw());
        assertEquals("no offload device drives eth1", soft.notInHwReason());
        assertEquals(1, nsim.installed.size());
        assertEquals(2, sw.installed.size());
    }

    @Test
    void inHwCountCountsEveryDeviceUnderASharedBlock() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice a = provider(new FakeDevice("nsimA", "eth1"));
        FakeDevice b = provider(new FakeDevice("nsimB", "eth2"));
        clsact("eth1", 10, 0);
        clsact("eth2", 10, 0);
        assertEquals(2, core.addFilter(flower(BLOCK10, 1, 0, 1, drop()), Mode.ADD).inHwCount());
        assertEquals(2, core.addFilter(skipSw(flower(BLOCK10, 1, 0, 2, drop())), Mode.ADD).inHwCount());
        assertEquals(2, a.installed.size());
        assertEquals(2, b.installed.size());
        assertEquals(1, sw.installed.size());
        // Both devices got the same block id: the block, not the device, is what filters belong to.
        assertEquals(a.installed.values().iterator().next().block(), b.installed.values().iterator().next().block());

        // One device leaving the block takes its filters away; the count follows.
        core.deleteQdisc("eth2", null);
        assertEquals(0, b.installed.size());
        assertEquals(List.of(1, 1), core.filters(BLOCK10, -1).stream().map(FilterInfo::inHwCount).toList());
    }

    @Test
    void notInHwSaysWhy() {
        provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0", "eth1"));
        nsim.refuseFilter = f -> f.filter().handle() == 3 ? "flower: tcp_flags cannot be matched" : null;
        clsact("eth0");
        clsact("eth3");

        assertEquals("skip_hw", core.addFilter(skipHw(flower(ETH0_IN, 1, 0, 1, drop())), Mode.ADD).notInHwReason());
        assertEquals(0, nsim.installed.size(), "skip_hw keeps it off the device");
        assertEquals("no offload device drives eth3", core.addFilter(flower(BlockRef.of("eth3", TcHook.INGRESS), 1, 0, 2, drop()), Mode.ADD)
                .notInHwReason());
        assertEquals("nsim0: flower: tcp_flags cannot be matched", core.addFilter(flower(ETH0_IN, 1, 3, 3, drop()), Mode.ADD).notInHwReason());

        nsim.refuseBind = "eth1 is in legacy mode";
        clsact("eth1");
        assertEquals("nsim0: eth1 ingress: eth1 is in legacy mode", core.addFilter(flower(ETH1_IN, 1, 0, 4, drop()), Mode.ADD).notInHwReason());
        refused(() -> core.addFilter(skipSw(flower(ETH1_IN, 1, 0, 5, drop())), Mode.ADD), "skip_sw", "eth1 is in legacy mode");
        refused(() -> core.addFilter(skipSw(flower(ETH0_IN, 1, 3, 5, drop())), Mode.REPLACE), "skip_sw", "tcp_flags cannot be matched");
    }

    @Test
    void aProviderRefusingPartWayLeavesEverythingAsItWas() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        core.addFilter(flower(ETH0_IN, 2, 0, 100, drop()), Mode.ADD);
        String swBefore = sw.state();
        String nsimBefore = nsim.state();
        TcConfiguration before = core.configuration();
        int commits = sw.commits;

        sw.refuseFilter = f -> f.filter().handle() == 4 ? "u32: this key is not supported" : null;
        List<io.netfence.tc.api.Filter> batch = List.of(flower(ETH0_IN, 1, 0, 1, drop()), flower(ETH0_IN, 1, 0, 2, drop()),
                flower(ETH0_IN, 1, 0, 3, drop()), flower(ETH0_IN, 1, 0, 4, drop()));
        refused(() -> core.addFilters(batch, Mode.ADD), "filter 4 of 4: software: u32: this key is not supported");

        assertEquals(before, core.configuration());
        assertEquals(swBefore, sw.state());
        assertEquals(nsimBefore, nsim.state());
        assertEquals(commits, sw.commits);
        assertEquals(3, nsim.calls.stream().filter(c -> c.startsWith("destroy")).count(), "what the device had taken was taken back");
        assertEquals(1, core.actions("gact").size());
    }

    @Test
    void aRefusedReplacePutsTheOldFilterBack() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        core.addFilter(flower(ETH0_IN, 1, 1, 1, drop()), Mode.ADD);
        String swBefore = sw.state();
        String nsimBefore = nsim.state();
        TcConfiguration before = core.configuration();

        sw.refuseFilter = f -> "no more room";
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 1, 2, gotoChain(3)), Mode.REPLACE), "software: no more room");
        assertEquals(before, core.configuration());
        assertEquals(swBefore, sw.state());
        assertEquals(nsimBefore, nsim.state());
        assertEquals(List.of(1), core.actions("gact").stream().map(a -> a.action().index()).toList());
        assertEquals(List.of(), warnings);
        // The refused version's goto did not stay behind holding chain 3.
        core.addChain(ETH0_IN, 3);
        core.deleteChain(ETH0_IN, 3);
    }

    @Test
    void aSkipSwFilterOneDeviceRefusesIsTakenBackFromTheOther() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice a = provider(new FakeDevice("nsimA", "eth1"));
        FakeDevice b = provider(new FakeDevice("nsimB", "eth2"));
        b.refuseFilter = f -> "out of flow table entries";
        clsact("eth1", 10, 0);
        clsact("eth2", 10, 0);
        refused(() -> core.addFilter(skipSw(flower(BLOCK10, 1, 0, 1, drop())), Mode.ADD), "skip_sw", "no device under block 10",
                "nsimB: out of flow table entries");
        assertEquals(0, a.installed.size());
        assertEquals(List.of(), core.filters(BLOCK10, -1));
        // Without skip_sw it lives in software and nsimA, with nsimB's reason kept for tc filter show.
        FilterInfo info = core.addFilter(flower(BLOCK10, 1, 0, 1, drop()), Mode.ADD);
        assertEquals(1, info.inHwCount());
        assertEquals(1, sw.installed.size());
    }

    @Test
    void bindingARefusingDeviceToABlockWithSkipSwFiltersIsRefused() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice a = provider(new FakeDevice("nsimA", "eth1"));
        FakeDevice b = provider(new FakeDevice("nsimB", "eth2"));
        clsact("eth1", 10, 0);
        core.addFilter(skipSw(flower(BLOCK10, 1, 0, 1, drop())), Mode.ADD);
        String aBefore = a.state();
        String swBefore = sw.state();

        b.refuseFilter = f -> "out of flow table entries";
        refused(() -> clsact("eth2", 10, 0), "skip_sw", "nsimB: out of flow table entries");
        assertEquals(List.of("eth1"), core.qdiscs().stream().map(Qdisc::dev).toList());
        assertEquals("[] []", b.state());
        assertEquals(aBefore, a.state());
        assertEquals(swBefore, sw.state());

        // A port no device drives cannot run the skip_sw filters of the block either.
        refused(() -> clsact("eth3", 10, 0), "dev eth3", "holds skip_sw filters", "no offload device drives eth3", "Bind to offloaded block failed");
        // Its own hooks may have their own blocks, though.
        clsact("eth3");
    }

    @Test
    void countersAreSoftwarePlusHardware() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice a = provider(new FakeDevice("nsimA", "eth1"));
        FakeDevice b = provider(new FakeDevice("nsimB", "eth2"));
        clsact("eth1", 10, 0);
        clsact("eth2", 10, 0);
        core.addFilter(flower(BLOCK10, 1, 0, 1, drop()), Mode.ADD);
        long cookie = sw.cookieOf(1, 1);
        sw.stats.put(cookie, new ClsStats(new TcStats(100, 1, 0, 0, 10), List.of(new TcStats(100, 1, 1, 0, 10))));
        a.stats.put(cookie, new ClsStats(new TcStats(1000, 10, 0, 0, 30), List.of(new TcStats(1000, 10, 10, 0, 30))));
        b.stats.put(cookie, new ClsStats(new TcStats(500, 5, 0, 0, 20), List.of(new TcStats(500, 5, 5, 0, 20))));

        FilterInfo info = only(BLOCK10);
        assertEquals(new TcStats(100, 1, 0, 0, 10), info.software());
        assertEquals(new TcStats(1500, 15, 0, 0, 30), info.hardware());
        assertEquals(new TcStats(1600, 16, 0, 0, 30), info.stats());
        assertEquals(new TcStats(1600, 16, 16, 0, 30), info.actions().get(0).stats());
        assertEquals(new TcStats(1500, 15, 15, 0, 30), core.getAction("gact", 1).hardware());
    }

    @Test
    void aProviderArrivingLaterIsGivenEverything() {
        clsact("eth0");
        clsact("eth1", 10, 0);
        // With no software backend yet, filters are kept for it.
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        core.addFilter(skipHw(flower(ETH0_IN, 1, 0, 2, drop())), Mode.ADD);
        core.addFilter(flower(BLOCK10, 1, 0, 3, drop()), Mode.ADD);
        assertEquals("no offload device drives eth0", core.getFilter(ETH0_IN, 0, 1, 0, 1).notInHwReason());

        FakeSoftware sw = provider(new FakeSoftware());
        assertEquals(4, sw.bindings.size());
        assertEquals(3, sw.installed.size());
        assertEquals(1, sw.commits);
        assertTrue(sw.calls.indexOf("bind eth0 ingress " + sw.installed.get(sw.cookieOf(1, 1)).block()) < sw.calls.indexOf(
                "replace " + sw.installed.get(sw.cookieOf(1, 1)).block() + " " + sw.cookieOf(1, 1)), "bound before given filters");

        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        assertEquals(2, nsim.bindings.size(), "eth0's two hooks");
        assertEquals(1, nsim.installed.size(), "skip_hw stays off it, eth1's block is not its business");
        assertEquals(1, core.getFilter(ETH0_IN, 0, 1, 0, 1).inHwCount());

        // A device that leaves is forgotten: its filters show why they are not in hardware any more.
        core.removeProvider(nsim);
        assertEquals("no offload device drives eth0", core.getFilter(ETH0_IN, 0, 1, 0, 1).notInHwReason());
        // And it is not called again.
        int calls = nsim.calls.size();
        core.addFilter(flower(ETH0_IN, 1, 0, 4, drop()), Mode.ADD);
        assertEquals(calls, nsim.calls.size());
    }

    @Test
    void aDeviceJoinsABlockWhenOneOfItsPortsBindsIt() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth2"));
        clsact("eth1", 10, 0);
        core.addFilter(flower(BLOCK10, 1, 0, 1, drop()), Mode.ADD);
        core.addFilter(skipHw(flower(BLOCK10, 1, 0, 2, drop())), Mode.ADD);
        assertEquals(0, nsim.installed.size());

        clsact("eth2", 10, 0);
        assertEquals(1, nsim.installed.size(), "replayed on its first binding of the block");
        assertEquals(1, core.getFilter(BLOCK10, 0, 1, 0, 1).inHwCount());

        core.deleteQdisc("eth2", null);
        assertEquals("[] []", nsim.state(), "filters destroyed, then unbound (the fake checks the order)");
        assertEquals(2, sw.installed.size());
        assertEquals(0, core.getFilter(BLOCK10, 0, 1, 0, 1).inHwCount());
    }

    @Test
    void everySuccessfulChangeCommitsEachProviderItCalledOnce() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        int sw0 = sw.commits;
        int nsim0 = nsim.commits;
        core.addFilters(List.of(flower(ETH0_IN, 1, 0, 1, drop()), flower(ETH0_IN, 1, 0, 2, drop()), flower(ETH0_IN, 1, 0, 3, drop())), Mode.ADD);
        assertEquals(List.of(sw0 + 1, nsim0 + 1), List.of(sw.commits, nsim.commits));
        assertEquals("commit", sw.calls.get(sw.calls.size() - 1));
        core.deleteFilters(ETH0_IN, 0, 1, 0, 0);
        assertEquals(List.of(sw0 + 2, nsim0 + 2), List.of(sw.commits, nsim.commits));
        // Nothing for a provider to do, nothing to commit.
        core.addChain(ETH0_IN, 4);
        core.addAction(drop(), Mode.ADD);
        core.addFilter(skipHw(flower(ETH0_IN, 1, 0, 1, drop())), Mode.ADD);
        assertEquals(List.of(sw0 + 3, nsim0 + 2), List.of(sw.commits, nsim.commits));
    }

    @Test
    void aProviderThatThrowsCountsAsRefusing() {
        provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        nsim.refuseFilter = f -> {
            throw new IllegalStateException("firmware timeout");
        };
        clsact("eth0");
        FilterInfo info = core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        assertFalse(info.inHw());
        assertTrue(info.notInHwReason().startsWith("nsim0: replace failed"), info.notInHwReason());
        assertTrue(info.notInHwReason().contains("firmware timeout"), info.notInHwReason());
    }

    @Test
    void closingTakesEverythingBackFromProviders() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        clsact("eth1", 10, 10);
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        core.addFilter(flower(BLOCK10, 1, 0, 1, drop()), Mode.ADD);
        core.close();
        for (TcOffloadProvider p : List.of(sw, nsim)) {
            assertEquals("[] []", ((RecordingProvider) p).state(), p.name());
        }
    }

    @Test
    void theSameSharedObjectReachesEveryProvider() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        ClsOffload inSw = sw.installed.values().iterator().next();
        ClsOffload inHw = nsim.installed.values().iterator().next();
        assertEquals(inSw.cookie(), inHw.cookie());
        assertTrue(inSw.actions().get(0) == inHw.actions().get(0));
    }
}
