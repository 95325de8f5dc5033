package io.netfence.backend.software.tc;

import io.netfence.tc.api.Filter;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.U32Match;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a block's installed filters into a {@link CompiledBlock}: chains in order, in each chain
 * one classifier instance per (prio, protocol, kind) — ordered by prio, then protocol and kind
 * where Linux would use the order they were created — and within it the kind's lookup structure.
 * Runs on the control plane; allocates freely.
 */
final class BlockCompiler {
    private record InstanceKey(int prio, int protocol, String kind) {
        static final Comparator<InstanceKey> ORDER = Comparator.comparingInt(InstanceKey::prio)
                .thenComparingInt(InstanceKey::protocol).thenComparing(InstanceKey::kind);
    }

    /** A flower instance of a block: where a filter added later can go without compiling the block again. */
    record FlowerInstance(int chain, int prio, int protocol) {
    }

    /** The compiled block and its flower instances, by where they are. */
    record Compiled(CompiledBlock block, Map<FlowerInstance, FlowerTable> flower) {
        static final Compiled EMPTY = new Compiled(CompiledBlock.EMPTY, Map.of());
    }

    private BlockCompiler() {
    }

    static Compiled compile(Collection<InstalledFilter> filters) {
        if (filters.isEmpty()) {
            return Compiled.EMPTY;
        }
        Map<FlowerInstance, FlowerTable> flowerTables = new HashMap<>();
        Map<InstalledFilter, CompiledFilter> compiled = new IdentityHashMap<>();
        for (InstalledFilter f : filters) {
            compiled.put(f, f.compile());
        }
        U32Tables u32Tables = u32Tables(filters, compiled);
        TreeMap<Integer, TreeMap<InstanceKey, List<InstalledFilter>>> chains = new TreeMap<>();
        for (InstalledFilter f : filters) {
            Filter d = f.offload().filter();
            chains.computeIfAbsent(d.chain(), c -> new TreeMap<>(InstanceKey.ORDER))
                    .computeIfAbsent(new InstanceKey(d.prio(), d.protocol(), d.classifier().kind()), k -> new ArrayList<>())
                    .add(f);
        }
        int[] indexes = new int[chains.size()];
        ClassifierInstance[][] instances = new ClassifierInstance[chains.size()][];
        int c = 0;
        for (Map.Entry<Integer, TreeMap<InstanceKey, List<InstalledFilter>>> chain : chains.entrySet()) {
            List<ClassifierInstance> list = new ArrayList<>();
            for (Map.Entry<InstanceKey, List<InstalledFilter>> e : chain.getValue().entrySet()) {
                ClassifierInstance instance = instance(e.getKey(), e.getValue(), compiled, u32Tables);
                if (instance != null) {
                    list.add(instance);
                }
                if (instance instanceof FlowerTable t) {
                    flowerTables.put(new FlowerInstance(chain.getKey(), e.getKey().prio(), e.getKey().protocol()), t);
                }
            }
            indexes[c] = chain.getKey();
            instances[c++] = list.toArray(new ClassifierInstance[0]);
        }
        return new Compiled(new CompiledBlock(indexes, instances), flowerTables);
    }

    /**
     * Adds a flower filter to its instance in place, if the instance exists; false if it does not
     * (the block must be compiled again).
     */
    static boolean append(Compiled c, InstalledFilter f) {
        Filter d = f.offload().filter();
        FlowerTable t = c.flower().get(new FlowerInstance(d.chain(), d.prio(), d.protocol()));
        if (t == null) {
            return false;
        }
        if (f.indevPort() == InstalledFilter.INDEV_GONE) {
            return true;
        }
        FlowerMatch m = (FlowerMatch) d.classifier();
        long[] mask = new long[FlowerKey.WORDS];
        long[] value = new long[FlowerKey.WORDS];
        FlowerKey.encode(m, d.protocol(), f.indevPort(), mask, value);
        t.add(mask, new FlowerMaskGroup.Entry(value, new FlowerRule(f.compile(), m.srcPort(), m.dstPort())));
        return true;
    }

    private static ClassifierInstance instance(InstanceKey key, List<InstalledFilter> filters, Map<InstalledFilter, CompiledFilter> compiled,
            U32Tables u32Tables) {
        List<InstalledFilter> byHandle = new ArrayList<>(filters);
        byHandle.sort(Comparator.comparingLong(InstalledFilter::handle));
        return switch (byHandle.get(0).offload().filter().classifier()) {
            case FlowerMatch m -> flower(key, byHandle, compiled);
            case MatchAll m -> new MatchAllTable(key.prio(), key.protocol(), compiled.get(byHandle.get(0)));
            case U32Match m -> u32(key, byHandle, compiled, u32Tables);
        };
    }

    private static FlowerTable flower(InstanceKey key, List<InstalledFilter> filters, Map<InstalledFilter, CompiledFilter> compiled) {
        Map<List<Long>, List<FlowerMaskGroup.Entry>> byMask = new LinkedHashMap<>();
        for (InstalledFilter f : filters) {
            if (f.indevPort() == InstalledFilter.INDEV_GONE) {
                // indev names a device that does not exist: no packet comes in on it.
                continue;
            }
            FlowerMatch m = (FlowerMatch) f.offload().filter().classifier();
            long[] mask = new long[FlowerKey.WORDS];
            long[] value = new long[FlowerKey.WORDS];
            FlowerKey.encode(m, key.protocol(), f.indevPort(), mask, value);
            List<Long> maskKey = new ArrayList<>(FlowerKey.WORDS);
            for (long w : mask) {
                maskKey.add(w);
            }
            FlowerRule rule = new FlowerRule(compiled.get(f), m.srcPort(), m.dstPort());
            byMask.computeIfAbsent(maskKey, k -> new ArrayList<>()).add(new FlowerMaskGroup.Entry(value, rule));
        }
        List<FlowerMaskGroup> groups = new ArrayList<>();
        for (Map.Entry<List<Long>, List<FlowerMaskGroup.Entry>> e : byMask.entrySet()) {
            long[] mask = new long[FlowerKey.WORDS];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = e.getKey().get(i);
            }
            groups.add(new FlowerMaskGroup(mask, e.getValue()));
        }
        return new FlowerTable(key.prio(), key.protocol(), groups);
    }

    /** The root table's nodes of this instance; nodes of other tables live in the block's {@link U32Tables}. */
    private static U32Table u32(InstanceKey key, List<InstalledFilter> filters, Map<InstalledFilter, CompiledFilter> compiled, U32Tables tables) {
        List<U32Node> root = new ArrayList<>();
        for (InstalledFilter f : filters) {
            U32Match m = (U32Match) f.offload().filter().classifier();
            if (m.table() == U32Match.ROOT_TABLE && m.bucket() == 0 && m.divisor() == 0) {
                root.add(node(f, m, compiled));
            }
        }
        return new U32Table(key.prio(), key.protocol(), root.toArray(new U32Node[0]), tables);
    }

    /** Tables created by divisor filters anywhere in the block, filled with the nodes added to them. */
    private static U32Tables u32Tables(Collection<InstalledFilter> filters, Map<InstalledFilter, CompiledFilter> compiled) {
        Map<Integer, Integer> divisors = new HashMap<>();
        List<InstalledFilter> u32 = new ArrayList<>();
        for (InstalledFilter f : filters) {
            if (f.offload().filter().classifier() instanceof U32Match m) {
                u32.add(f);
                if (m.divisor() > 0 && m.table() != U32Match.ROOT_TABLE) {
                    divisors.put(m.table(), m.divisor());
                }
            }
        }
        if (divisors.isEmpty()) {
            return U32Tables.NONE;
        }
        u32.sort(Comparator.comparingLong(InstalledFilter::handle));
        int maxId = divisors.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<List<List<U32Node>>> building = new ArrayList<>();
        for (int id = 0; id <= maxId; id++) {
            Integer divisor = divisors.get(id);
            List<List<U32Node>> buckets = null;
            if (divisor != null) {
                buckets = new ArrayList<>();
                for (int b = 0; b < divisor; b++) {
                    buckets.add(new ArrayList<>());
                }
            }
            building.add(buckets);
        }
        for (InstalledFilter f : u32) {
            U32Match m = (U32Match) f.offload().filter().classifier();
            if (m.divisor() == 0 && m.table() != U32Match.ROOT_TABLE && m.table() <= maxId) {
                List<List<U32Node>> buckets = building.get(m.table());
                // A node in a table nobody created, or past its last bucket, can never be reached.
                if (buckets != null && m.bucket() < buckets.size()) {
                    buckets.get(m.bucket()).add(node(f, m, compiled));
                }
            }
        }
        U32Node[][][] byId = new U32Node[maxId + 1][][];
        for (int id = 0; id <= maxId; id++) {
            List<List<U32Node>> buckets = building.get(id);
            if (buckets != null) {
                byId[id] = new U32Node[buckets.size()][];
                for (int b = 0; b < buckets.size(); b++) {
                    byId[id][b] = buckets.get(b).toArray(new U32Node[0]);
                }
            }
        }
        return new U32Tables(byId);
    }

    private static U32Node node(InstalledFilter f, U32Match m, Map<InstalledFilter, CompiledFilter> compiled) {
        Filter d = f.offload().filter();
        // Linux's TC_U32_TERMINAL: only a node with actions or a class decides anything itself.
        boolean terminal = f.actions().length > 0 || d.classid() != 0;
        return new U32Node(m, d.handle(), terminal ? compiled.get(f) : null);
    }
}
