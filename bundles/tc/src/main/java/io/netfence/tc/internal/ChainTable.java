package io.netfence.tc.internal;

import io.netfence.tc.api.Filter;
import io.netfence.tc.api.TcException;
import io.netfence.tc.spi.ClsOffload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The chains of one block and the filters in them, indexed by (chain, prio) so that adding a
 * filter costs a couple of map lookups however many there are. A chain exists while it was
 * created explicitly ({@code tc chain add}) or holds filters; chain 0 also whenever any chain
 * holds filters. It also counts what other checks need without a scan: {@code goto chain}
 * references into each chain and skip_sw filters.
 */
final class ChainTable {
    /** One chain: its classifier instances by priority. */
    static final class Chain {
        final int index;
        boolean explicit;
        final TreeMap<Integer, ClassifierInstance> byPrio = new TreeMap<>();

        Chain(int index) {
            this.index = index;
        }

        boolean isEmpty() {
            return byPrio.isEmpty();
        }
    }

    /** Linux's automatic priorities count down from here (0xC000)... */
    static final int AUTO_PRIO_START = 0xC000;
    /** ...below the lowest instance at or above this one (0x8000). */
    static final int AUTO_PRIO_FLOOR = 0x8000;

    private final TreeMap<Integer, Chain> chains = new TreeMap<>();
    private final Map<Integer, Integer> gotoRefs = new HashMap<>();
    private int filterCount;
    private int skipSwCount;

    ClassifierInstance instance(int chain, int prio) {
        Chain c = chains.get(chain);
        return c == null ? null : c.byPrio.get(prio);
    }

    /**
     * The kernel's automatic priority (tcf_auto_prio): one below the lowest instance at or above
     * 0x8000, or 0xC000 when there is none — so filters added without prio run in the order they
     * were added, after any the user placed below 0x8000.
     */
    int autoPrio(int chain) {
        Chain c = chains.get(chain);
        Integer above = c == null ? null : c.byPrio.ceilingKey(AUTO_PRIO_FLOOR);
        int prio = above == null ? AUTO_PRIO_START : above - 1;
        if (prio < 1 || (c != null && c.byPrio.containsKey(prio))) {
            throw new TcException("prio: no automatic priority is left in chain " + chain + " (prio " + prio + " is in use); give prio");
        }
        return prio;
    }

    boolean exists(int chain) {
        Chain c = chains.get(chain);
        return c != null || (chain == 0 && filterCount > 0);
    }

    /** The chains that exist, in order. */
    List<Integer> existing() {
        List<Integer> out = new ArrayList<>(chains.keySet());
        if (filterCount > 0 && !chains.containsKey(0)) {
            out.add(0, 0);
        }
        return out;
    }

    /** Chains created with {@code tc chain add} (they exist without filters), in order. */
    List<Integer> explicitChains() {
        List<Integer> out = new ArrayList<>();
        for (Chain c : chains.values()) {
            if (c.explicit) {
                out.add(c.index);
            }
        }
        return out;
    }

    List<Integer> chainIndexes() {
        return new ArrayList<>(chains.keySet());
    }

    List<ClassifierInstance> instances(int chain) {
        Chain c = chains.get(chain);
        return c == null ? List.of() : new ArrayList<>(c.byPrio.values());
    }

    /** The filters of {@code chain} (-1: every chain) by chain, prio, then handle. */
    List<FilterEntry> entries(int chain) {
        List<FilterEntry> out = new ArrayList<>();
        for (Chain c : chain < 0 ? chains.values() : chains.containsKey(chain) ? List.of(chains.get(chain)) : List.<Chain>of()) {
            for (ClassifierInstance i : c.byPrio.values()) {
                out.addAll(i.sorted());
            }
        }
        return out;
    }

    /** Every filter, in no particular order (for scans that need no order). */
    void forEach(Consumer<FilterEntry> action) {
        for (Chain c : chains.values()) {
            for (ClassifierInstance i : c.byPrio.values()) {
                i.filters.values().forEach(action);
            }
        }
    }

    int filterCount() {
        return filterCount;
    }

    boolean hasSkipSw() {
        return skipSwCount > 0;
    }

    /** How many installed filters of this block have an action that goes to {@code chain}. */
    int gotoRefs(int chain) {
        return gotoRefs.getOrDefault(chain, 0);
    }

    void addExplicit(int chain, Journal journal) {
        Chain c = chains.computeIfAbsent(chain, Chain::new);
        c.explicit = true;
        journal.undo(() -> {
            c.explicit = false;
            dropIfUnused(c);
        });
    }

    void dropExplicit(int chain, Journal journal) {
        Chain c = chains.get(chain);
        if (c == null || !c.explicit) {
            return;
        }
        c.explicit = false;
        dropIfUnused(c);
        journal.undo(() -> chains.computeIfAbsent(chain, Chain::new).explicit = true);
    }

    /** Adds a new filter (its instance too, when it is the first of its prio). */
    void put(FilterEntry e, Journal journal) {
        link(e);
        journal.undo(() -> unlink(e));
    }

    void remove(FilterEntry e, Journal journal) {
        unlink(e);
        journal.undo(() -> link(e));
    }

    /** Replaces what {@code e} is (same chain, prio and handle), keeping the counts right. */
    void update(FilterEntry e, Filter installed, List<ActionEntry> bound, Journal journal) {
        Filter oldFilter = e.filter;
        List<ActionEntry> oldActions = e.actions;
        int[] oldTargets = e.gotoTargets;
        ClsOffload oldOffload = e.offload;
        count(e, -1);
        e.set(installed, bound);
        count(e, +1);
        journal.undo(() -> {
            count(e, -1);
            e.filter = oldFilter;
            e.actions = oldActions;
            e.gotoTargets = oldTargets;
            e.offload = oldOffload;
            count(e, +1);
        });
    }

    private void link(FilterEntry e) {
        Chain c = chains.computeIfAbsent(e.instance.chain, Chain::new);
        ClassifierInstance present = c.byPrio.putIfAbsent(e.instance.prio, e.instance);
        if (present != null && present != e.instance) {
            throw new IllegalStateException("two instances at " + e.instance.describe());
        }
        e.instance.put(e);
        count(e, +1);
    }

    private void unlink(FilterEntry e) {
        ClassifierInstance i = e.instance;
        i.remove(e);
        count(e, -1);
        Chain c = chains.get(i.chain);
        if (i.filters.isEmpty()) {
            c.byPrio.remove(i.prio, i);
            dropIfUnused(c);
        }
    }

    private void dropIfUnused(Chain c) {
        if (!c.explicit && c.isEmpty()) {
            chains.remove(c.index, c);
        }
    }

    private void count(FilterEntry e, int delta) {
        filterCount += delta;
        if (e.filter.skipSw()) {
            skipSwCount += delta;
        }
        for (int target : e.gotoTargets) {
            gotoRefs.merge(target, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }
}
