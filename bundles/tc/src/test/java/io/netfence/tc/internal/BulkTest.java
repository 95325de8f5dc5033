package io.netfence.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netfence.tc.api.Filter;
import io.netfence.tc.api.TcService.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Large batches ({@code tc -batch} of 100k flower rules) and concurrent callers. */
class BulkTest extends TcFixture {
    static final int N = 100_000;

    static List<Filter> flowers(int prio, int count) {
        List<Filter> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(flower(ETH0_IN, prio, 0, i, drop()));
        }
        return batch;
    }

    @Test
    void aHundredThousandFlowerFiltersInOneBatch() {
        FakeSoftware sw = provider(new FakeSoftware());
        FakeDevice nsim = provider(new FakeDevice("nsim0", "eth0"));
        clsact("eth0");
        int commits = sw.commits;

        List<Filter> done = core.addFilters(flowers(1, N), Mode.ADD);
        assertEquals(N, done.size());
        assertEquals(1, done.get(0).handle());
        assertEquals(N, done.get(N - 1).handle());
        assertEquals(N, sw.installed.size());
        assertEquals(N, nsim.installed.size());
        assertEquals(commits + 1, sw.commits, "one commit for the whole batch");
        assertEquals(N, core.actions("gact").size());
        assertEquals(N, core.filters(ETH0_IN, 0).size());
        assertEquals(1, core.getFilter(ETH0_IN, 0, 1, 0, N / 2).inHwCount());

        // The same batch again as REPLACE with handles: every filter replaced in place.
        List<Filter> again = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            again.add(flower(ETH0_IN, 1, i + 1, N - i, drop()));
        }
        core.addFilters(again, Mode.REPLACE);
        assertEquals(N, sw.installed.size());
        assertEquals(N, core.actions("gact").size());
        assertEquals(dst(N), core.getFilter(ETH0_IN, 0, 1, 0, 1).filter().classifier());

        assertEquals(N + 1, core.addFilter(flower(ETH0_IN, 1, 0, 7, drop()), Mode.ADD).filter().handle());
        assertEquals(N + 1, core.deleteFilters(ETH0_IN, 0, 1, 0, 0));
        assertEquals(0, sw.installed.size());
        assertEquals(0, nsim.installed.size());
        assertEquals(List.of(), core.actions(null));
    }

    @Test
    void aBatchRefusedAtItsLastFilterLeavesNothing() {
        FakeSoftware sw = provider(new FakeSoftware());
        clsact("eth0");
        int n = 20_000;
        List<Filter> batch = new ArrayList<>(flowers(1, n));
        batch.add(flower(ETH0_IN, 1, 1, 0, drop()));
        refused(() -> core.addFilters(batch, Mode.ADD), "filter " + (n + 1) + " of " + (n + 1) + ": handle 0x1", "Filter already exists");
        assertEquals(0, core.filters(ETH0_IN, -1).size());
        assertEquals(0, core.actions(null).size());
        assertEquals(0, sw.installed.size());
        // The handles and indexes it had taken are free again.
        assertEquals(1, core.addFilter(flower(ETH0_IN, 1, 0, 1, drop()), Mode.ADD).actions().get(0).action().index());
        assertEquals(1, core.getFilter(ETH0_IN, 0, 1, 0, 1).filter().handle());
    }

    @Test
    void concurrentChangesAllLand() throws Exception {
        FakeSoftware sw = provider(new FakeSoftware());
        clsact("eth0");
        int threads = 4;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int prio = t + 1;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        core.addFilter(flower(ETH0_IN, prio, 0, i, drop()), Mode.ADD);
                    }
                }));
            }
            work.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    core.filters(ETH0_IN, -1);
                    core.actions(null);
                }
            }));
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(threads * each, core.filters(ETH0_IN, -1).size());
        assertEquals(threads * each, sw.installed.size());
        assertEquals(threads * each, core.actions("gact").stream().map(a -> a.action().index()).distinct().count());
    }
}
