package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.netfence.tc.api.ActionRef;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FilterInfo;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.U32Match;
import io.netfence.tc.api.TcService.Mode;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Filters: automatic prio and handle, modes, one kind and protocol per prio, deletes, checks. */
class FilterTest extends TcFixture {
    FakeSoftware sw;

    @BeforeEach
    void setUp() {
        sw = provider(new FakeSoftware());
        clsact("eth0");
        clsact("eth1");
    }

    static Filter u32(int prio, long handle, U32Match m) {
        return new Filter(ETH0_IN, 0, prio, EtherTypes.IPV4, handle, m, List.of(drop()), false, false, 0);
    }

    static U32Match u32Key(int table, int bucket, int link) {
        return new U32Match(List.of(new U32Match.Key(0x0A000001, -1, 16, false)), table, bucket, link, link == 0 ? 0 : 0xFF, 0, 0, null);
    }

    static U32Match u32Table(int table, int divisor) {
        return new U32Match(List.of(), table, 0, 0, 0, 0, divisor, null);
    }

    List<Long> handles(int prio) {
        return core.filters(ETH0_IN, 0).stream().filter(i -> i.filter().prio() == prio).map(i -> i.filter().handle()).toList();
    }

    @Test
    void automaticPrioCountsDownFrom49152AboveTheUsersOwn() {
        assertEquals(49152, core.addFilter(flower(ETH0_IN, 0, 0, 1, drop()), Mode.ADD).filter().prio());
        assertEquals(49151, core.addFilter(flower(ETH0_IN, 0, 0, 2, drop()), Mode.ADD).filter().prio());
        // A prio the user chose below 0x8000 does not move the automatic ones (tcf_auto_prio).
        core.addFilter(flower(ETH0_IN, 1, 0, 3, drop()), Mode.ADD);
        assertEquals(49150, core.addFilter(flower(ETH0_IN, 0, 0, 4, drop()), Mode.ADD).filter().prio());
        // Each chain counts on its own.
        assertEquals(49152, core.addFilter(flower(ETH0_IN, 5, 0, 0, 5, drop()), Mode.ADD).filter().prio());
        assertEquals(List.of(1, 49150, 49151, 49152), core.filters(ETH0_IN, 0).stream().map(i -> i.filter().prio()).toList());
    }

    @Test
    void automaticPrioStartsAt49152WhenOnlyLowPriosExist() {
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        assertEquals(49152, core.addFilter(flower(ETH0_IN, 0, 0, 2, drop()), Mode.ADD).filter().prio());
    }

    @Test
    void flowerHandlesAreTheLowestFreeFrom1PerPrio() {
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, core.addFilter(flower(ETH0_IN, 10, 0, i, drop()), Mode.ADD).filter().handle());
        }
        assertEquals(1, core.addFilter(flower(ETH0_IN, 20, 0, 9, drop()), Mode.ADD).filter().handle(), "each prio has its own handles");
        assertEquals(1, core.deleteFilters(ETH0_IN, 0, 10, 0, 2));
        assertEquals(2, core.addFilter(flower(ETH0_IN, 10, 0, 4, drop()), Mode.ADD).filter().handle());
        core.addFilter(flower(ETH0_IN, 10, 7, 5, drop()), Mode.ADD);
        assertEquals(4, core.addFilter(flower(ETH0_IN, 10, 0, 6, drop()), Mode.ADD).filter().handle());
        assertEquals(List.of(1L, 2L, 3L, 4L, 7L), handles(10));
    }

    @Test
    void u32HandlesAreTableBucketNode() {
        assertEquals(0x8000_0800L, core.addFilter(u32(1, 0, u32Key(0x800, 0, 0)), Mode.ADD).filter().handle());
        assertEquals(0x8000_0801L, core.addFilter(u32(1, 0, u32Key(0x800, 0, 0)), Mode.ADD).filter().handle());
        // ht 1: with 4 buckets, then a key in bucket 3 of it and a root filter linking to it.
        assertEquals(0x0010_0000L, core.addFilter(u32(1, 0, u32Table(1, 4)), Mode.ADD).filter().handle());
        assertEquals(0x0010_3800L, core.addFilter(u32(1, 0, u32Key(1, 3, 0)), Mode.ADD).filter().handle());
        assertEquals(0x8000_0802L, core.addFilter(u32(1, 0, u32Key(0x800, 0, 1)), Mode.ADD).filter().handle());
        // A node given alone is completed with the table and bucket.
        assertEquals(0x8000_0005L, core.addFilter(u32(1, 5, u32Key(0x800, 0, 0)), Mode.ADD).filter().handle());

        refused(() -> core.addFilter(u32(1, 0, u32Key(2, 0, 0)), Mode.ADD), "ht 2", "Specified hash table not found");
        refused(() -> core.addFilter(u32(1, 0, u32Key(1, 4, 0)), Mode.ADD), "ht 1:4", "bucket beyond the table's divisor 4");
        refused(() -> core.addFilter(u32(1, 0, u32Key(0x800, 0, 3)), Mode.ADD), "link 3", "Link hash table not found");
        refused(() -> core.addFilter(u32(1, 0x0010_0801L, u32Key(0x800, 0, 0)), Mode.ADD), "handle 1::801", "hash table address mismatch");
        refused(() -> core.addFilter(u32(1, 0, u32Table(1, 8)), Mode.ADD), "handle 1:", "Filter already exists");
        refused(() -> core.addFilter(u32(1, 0, u32Table(1, 8)), Mode.REPLACE), "handle 1:", "a hash table cannot be changed");
        refused(() -> core.deleteFilters(ETH0_IN, 0, 1, 0, 0x0010_0000L), "handle 1:", "2 filters sit in or link to this hash table");

        // Listing puts hash tables first, so a replay finds them before the filters that use them.
        assertEquals(List.of(0x0010_0000L, 0x0010_3800L, 0x8000_0005L, 0x8000_0800L, 0x8000_0801L, 0x8000_0802L), handles(1));
        assertEquals(2, core.deleteFilters(ETH0_IN, 0, 1, 0, 0x0010_3800L) + core.deleteFilters(ETH0_IN, 0, 1, 0, 0x8000_0802L));
        assertEquals(1, core.deleteFilters(ETH0_IN, 0, 1, 0, 0x0010_0000L));
    }

    @Test
    void matchallHoldsOneFilterPerPrio() {
        Filter all = new Filter(ETH0_IN, 0, 3, EtherTypes.ALL, 0, new MatchAll(), List.of(drop()), false, false, 0);
        assertEquals(1, core.addFilter(all, Mode.ADD).filter().handle());
        refused(() -> core.addFilter(all.withHandle(2), Mode.ADD), "handle 0x2", "already holds its matchall filter");
        core.addFilter(all.withHandle(1), Mode.REPLACE);
        assertEquals(1, core.filters(ETH0_IN, 0).size());
    }

    @Test
    void addReplaceAndChange() {
        FilterInfo first = core.addFilter(flower(ETH0_IN, 1, 1, 1, drop()), Mode.ADD);
        long cookie = sw.cookieOf(1, 1);
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 1, 2, drop()), Mode.ADD), "handle 0x1", "Filter already exists");

        FilterInfo replaced = core.addFilter(flower(ETH0_IN, 1, 1, 2, drop()), Mode.REPLACE);
        assertEquals(FlowerMatch.class, replaced.filter().classifier().getClass());
        assertNotEquals(first.filter().classifier(), replaced.filter().classifier());
        assertEquals(cookie, sw.cookieOf(1, 1), "a replaced filter keeps its cookie");
        assertEquals(replaced.filter(), sw.installed.get(cookie).filter());

        core.addFilter(flower(ETH0_IN, 1, 1, 3, drop()), Mode.CHANGE);
        assertEquals(dst(3), core.getFilter(ETH0_IN, 0, 1, 0, 1).filter().classifier());
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 2, 3, drop()), Mode.CHANGE), "handle 0x2", "change creates nothing");
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 0, 3, drop()), Mode.CHANGE), "handle: change needs the handle");
        refused(() -> core.addFilter(flower(ETH0_IN, 0, 1, 3, drop()), Mode.CHANGE), "prio: change needs the prio");
        refused(() -> core.addFilter(flower(ETH0_IN, 9, 1, 3, drop()), Mode.CHANGE), "prio 9", "change creates nothing");
        // REPLACE of a filter that does not exist creates it.
        assertEquals(5, core.addFilter(flower(ETH0_IN, 1, 5, 5, drop()), Mode.REPLACE).filter().handle());
        assertEquals(List.of(1, 1), core.actions("gact").stream().map(a -> a.bindCount()).toList(),
                "two filters, one action each: the actions of the versions replaced are gone");
    }

    @Test
    void onePrioHoldsOneKindForOneProtocol() {
        core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD);
        Filter all = new Filter(ETH0_IN, 0, 1, EtherTypes.ALL, 0, new MatchAll(), List.of(drop()), false, false, 0);
        refused(() -> core.addFilter(all, Mode.ADD), "protocol all", "holds protocol ip filters", "priority/protocol not found");
        Filter u32 = u32(1, 0, u32Key(0x800, 0, 0));
        refused(() -> core.addFilter(u32, Mode.ADD), "u32", "holds flower filters", "Specified filter kind does not match existing one");
        Filter ipv6 = new Filter(ETH0_IN, 0, 1, EtherTypes.IPV6, 0, FlowerMatch.ANY, List.of(), false, false, 0);
        refused(() -> core.addFilter(ipv6, Mode.ADD), "protocol ipv6", "holds protocol ip filters");
        // Protocol 0 joins the prio's own protocol, or is refused for a new prio.
        Filter anyProto = new Filter(ETH0_IN, 0, 1, 0, 0, FlowerMatch.ANY, List.of(), false, false, 0);
        assertEquals(EtherTypes.IPV4, core.addFilter(anyProto, Mode.ADD).filter().protocol());
        refused(() -> core.addFilter(anyProto.withPrio(2), Mode.ADD), "protocol: a filter at a new priority needs one");
        assertEquals(2, core.filters(ETH0_IN, 0).size());
    }

    @Test
    void deleteByAllPrioOrHandle() {
        for (int prio = 1; prio <= 3; prio++) {
            for (int i = 0; i < 3; i++) {
                core.addFilter(flower(ETH0_IN, prio, 0, i, drop()), Mode.ADD);
            }
        }
        core.addFilter(flower(ETH0_IN, 4, 1, 0, 1, drop()), Mode.ADD);
        long before = sw.installed.size();
        assertEquals(1, core.deleteFilters(ETH0_IN, 0, 1, 0, 2));
        refused(() -> core.deleteFilters(ETH0_IN, 0, 1, 0, 2), "handle 0x2", "Specified filter handle not found");
        assertEquals(3, core.deleteFilters(ETH0_IN, 0, 2, EtherTypes.IPV4, 0));
        refused(() -> core.deleteFilters(ETH0_IN, 0, 2, 0, 0), "prio 2", "priority/protocol not found");
        refused(() -> core.deleteFilters(ETH0_IN, 0, 3, EtherTypes.IPV6, 0), "prio 3", "for protocol ipv6");
        refused(() -> core.deleteFilters(ETH0_IN, 7, 3, 0, 0), "chain 7", "Cannot find specified filter chain");
        assertEquals(0, core.deleteFilters(ETH0_IN, 7, 0, 0, 0), "flushing a chain that does not exist deletes nothing");
        assertEquals(before - 4, sw.installed.size());
        // prio 0: the whole chain; chain -1: every chain.
        assertEquals(6, core.deleteFilters(ETH0_IN, -1, 0, 0, 0));
        assertEquals(0, sw.installed.size());
        assertEquals(List.of(), core.actions("gact"));
    }

    @Test
    void deleteWithChainMinusOneFindsThePrioInEveryChain() {
        core.addFilter(flower(ETH0_IN, 0, 5, 1, 1, drop()), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 3, 5, 1, 2, drop()), Mode.ADD);
        core.addFilter(flower(ETH0_IN, 3, 6, 1, 3, drop()), Mode.ADD);
        assertEquals(2, core.deleteFilters(ETH0_IN, -1, 5, 0, 1));
        assertEquals(1, core.filters(ETH0_IN, -1).size());
    }

    @Test
    void devicesNamedByAFilterMustExist() {
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 0, 1, new MirredAction(0, null, false, true, "eth9")), Mode.ADD), "mirred dev eth9",
                "Cannot find device");
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.indev = "eth9";
        Filter indev = new Filter(ETH0_IN, 0, 1, EtherTypes.IPV4, 0, b.build(), List.of(), false, false, 0);
        refused(() -> core.addFilter(indev, Mode.ADD), "indev eth9", "Cannot find device");
        refused(() -> core.addFilter(flower(ETH0_IN, 1, 0, 1, new ActionRef("police", 4)), Mode.ADD), "action police index 4", "no such action");
        assertEquals(List.of(), core.filters(ETH0_IN, -1));
        assertEquals(List.of(), core.actions(null));
        // A redirect to a device that exists, an xfrm interface included, is fine.
        core.addFilter(flower(ETH0_IN, 1, 0, 1, new MirredAction(0, null, false, true, "ipsec0")), Mode.ADD);
    }

    @Test
    void aFilterIsStoredAsInstalled() {
        FilterInfo info = core.addFilter(flower(ETH0_IN, 0, 0, 1, drop(), gotoChain(4)), Mode.ADD);
        Filter f = info.filter();
        assertEquals(ETH0_IN, f.where());
        assertEquals(49152, f.prio());
        assertEquals(1, f.handle());
        assertEquals(List.of(1, 2), f.actions().stream().map(a -> a.index()).toList(), "inline actions got indexes");
        assertEquals(f, core.getFilter(ETH0_IN, 0, 49152, EtherTypes.IPV4, 1).filter());
        refused(() -> core.getFilter(ETH0_IN, 0, 49152, EtherTypes.IPV6, 1), "prio 49152");
        refused(() -> core.getFilter(ETH0_IN, 0, 49152, 0, 9), "handle 0x9", "Specified filter handle not found");
    }

    @Test
    void aBatchIsOneChange() {
        List<Filter> batch = List.of(flower(ETH0_IN, 1, 0, 1, drop()), flower(ETH0_IN, 1, 0, 2, drop()), flower(ETH0_IN, 1, 1, 3, drop()));
        refused(() -> core.addFilters(batch, Mode.ADD), "filter 3 of 3: handle 0x1", "Filter already exists");
        assertEquals(List.of(), core.filters(ETH0_IN, -1));
        assertEquals(List.of(), core.actions(null));
        assertEquals(0, sw.installed.size());
        assertEquals(0, sw.calls.stream().filter(c -> c.startsWith("replace")).count(), "a batch refused while being checked never reaches providers");

        int commits = sw.commits;
        List<Filter> done = core.addFilters(batch.subList(0, 2), Mode.ADD);
        assertEquals(List.of(1L, 2L), done.stream().map(Filter::handle).toList());
        assertEquals(commits + 1, sw.commits);
    }
}
