package io.netfence.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * IPv4 longest-prefix-match table: prefix/length to next-hop id, DIR-24-8 as in DPDK's rte_lpm.
 *
 * <h2>Layout</h2>
 * The first level is one int entry per /24 (2^24 entries), split into 256 pages of 2^16 entries
 * (one per /8) so that an empty or sparse table stays small: a page is allocated only once a
 * route longer than /8 falls into it, and is dropped again when the last one leaves. A missing
 * page reads as its {@code uniform} entry, which holds the best route of length 0..8 for that /8.
 * An entry packs a valid bit (the sign bit), an "extended" bit, the depth (prefix length) of the
 * route it came from and a 24-bit value: the next hop, or for an extended entry the index of a
 * 256-slot second-level group that resolves the last octet. Groups live in one growable
 * {@code long[]} pool and are recycled through a free list when the last route longer than /24
 * in their /24 is removed. Lookup is one or two dependent loads, never a loop over routes.
 * <p>
 * The control plane keeps every route in one {@link IntIntMap} per prefix length, which gives
 * exact-match {@link #get}, the next covering route that {@link #remove} restores (at most 32
 * probes), and the ordered listing of {@link #forEach}.
 *
 * <h2>Concurrency and memory ordering</h2>
 * One writer at a time (the caller serialises {@link #add}, {@link #remove} and {@link #clear});
 * any number of threads may call {@link #lookup} concurrently with it. {@link #get},
 * {@link #size} and {@link #forEach} are control-plane queries: call them from the writer or
 * under the writer's lock. Every lookup returns, for its address, the answer of the table as it
 * was at some instant during the lookup: the old or the new answer of an update, never a torn
 * or stale-beyond-the-lookup value, and it never throws.
 * <ul>
 * <li>Every store a reader can see is a single int or long store with release semantics
 * ({@code VarHandle.setRelease}); readers use acquire loads ({@code getAcquire}, which on
 * x86 and with the JIT is a plain load that may not be reordered with later loads).</li>
 * <li>A new page or group is completely written before the single release store that makes it
 * reachable (the page reference, or the extended entry). A reader whose acquire load returns
 * that reference therefore sees the complete contents, and, because the pool reference is read
 * after the entry, a pool array that contains the group.</li>
 * <li>Each address's answer lives in exactly one word at a time (uniform entry, page entry, or
 * group slot), and the writer changes an address's answer by one store to that word, always
 * from the old answer to the new one; switching a /24 between a plain entry and a group, or a
 * /8 between a page and its uniform entry, swaps words that hold equal answers for every
 * address they both cover, except the addresses the update is changing.</li>
 * <li>Arrays that are replaced (a grown group pool, a dropped page, the tables discarded by
 * {@link #clear}) are never written again, so a reader still holding one reads the answers of
 * the instant it was replaced, which lies within that reader's lookup.</li>
 * <li>Recycled groups are the one hazard of DIR-24-8 without reader registration (DPDK needs
 * RCU for it): a reader that loaded an extended entry might be preempted while its group is
 * freed and reused for another /24. Every group slot therefore carries its owner, the /24 index
 * plus one, in its upper 32 bits, written together with the leaf by one atomic long store. A
 * reader that finds another owner retries from the start; a slot that names this /24 holds an
 * answer this /24 had at some instant since the entry was loaded. Retries happen only when the
 * writer has made progress, so lookups stay lock-free.</li>
 * </ul>
 */
public final class Ipv4Fib {
    /** Returned by {@link #lookup} and {@link #get} when no route matches. */
    public static final int NO_ROUTE = -1;
    /** Largest next-hop id the table can store (24 bits). */
    public static final int MAX_NEXT_HOP = 0xFF_FFFF;

    private static final int VALID = 0x8000_0000;
    private static final int EXTENDED = 0x4000_0000;
    private static final int DEPTH_SHIFT = 24;
    private static final int DEPTH_MASK = 0x3F;
    private static final int VALUE_MASK = 0xFF_FFFF;

    private static final int PAGES = 256;
    private static final int PAGE_SIZE = 1 << 16;
    private static final int GROUP_SIZE = 256;
    private static final int INITIAL_GROUPS = 16;
    /** Largest pool such that every slot index (group * 256 + octet) is a valid array index. */
    static final int MAX_GROUPS = (Integer.MAX_VALUE - 8) / GROUP_SIZE;

    private static final VarHandle INT = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle PAGE = MethodHandles.arrayElementVarHandle(int[][].class);

    /** Everything readers touch; {@link #clear} swaps in a fresh instance. */
    private static final class Tables {
        final int[][] pages = new int[PAGES][];
        final int[] uniform = new int[PAGES];
        volatile long[] groups = new long[INITIAL_GROUPS * GROUP_SIZE];
    }

    private volatile Tables tables = new Tables();

    // Control plane, touched only by the writer.
    private IntIntMap[] rules = new IntIntMap[33];
    private int size;
    /** Routes longer than /8 per /8: the page is needed while this is non-zero. */
    private int[] pageRouteCount = new int[PAGES];
    /** Routes longer than /24 per group: the group is needed while this is non-zero. */
    private int[] groupRouteCount = new int[INITIAL_GROUPS];
    private int[] freeGroups = new int[INITIAL_GROUPS];
    private int freeGroupCount;
    private int groupsEverUsed;

    /** An empty table; about 2 KB until routes are added. */
    public Ipv4Fib() {
    }

    /**
     * Adds a route, or replaces the next hop of an existing route with the same prefix and length.
     *
     * @param prefix  network address; host bits beyond {@code length} are ignored
     * @param length  prefix length, 0..32
     * @param nextHop next-hop id, 0..{@link #MAX_NEXT_HOP}
     * @throws IllegalArgumentException if {@code length} or {@code nextHop} is out of range
     * @throws IllegalStateException    if the second-level pool ({@value #MAX_GROUPS} groups) is exhausted
     */
    public void add(int prefix, int length, int nextHop) {
        checkLength(length);
        if (nextHop < 0 || nextHop > MAX_NEXT_HOP) {
            throw new IllegalArgumentException("nextHop must be 0.." + MAX_NEXT_HOP + ", got " + nextHop);
        }
        int network = prefix & netmask(length);
        IntIntMap lengthRules = rules[length];
        if (lengthRules == null) {
            lengthRules = rules[length] = new IntIntMap();
        }
        int previous = lengthRules.get(network);
        if (previous == nextHop) {
            return;
        }
        boolean fresh = previous == IntIntMap.ABSENT;
        Tables t = tables;
        int leaf = leaf(length, nextHop);
        if (length <= 24) {
            rewriteFirstLevel(t, network >>> 8, 1 << (24 - length), length, leaf, true);
        } else {
            addLong(t, network, length, leaf, fresh);
        }
        lengthRules.put(network, nextHop);
        if (fresh) {
            size++;
            if (length > 8) {
                pageRouteCount[network >>> 24]++;
            }
        }
    }

    /**
     * Removes a route; the addresses it covered fall back to the next covering route.
     *
     * @param prefix network address; host bits beyond {@code length} are ignored
     * @param length prefix length, 0..32
     * @return whether the route existed
     */
    public boolean remove(int prefix, int length) {
        checkLength(length);
        int network = prefix & netmask(length);
        IntIntMap lengthRules = rules[length];
        if (lengthRules == null || lengthRules.remove(network) == IntIntMap.ABSENT) {
            return false;
        }
        int replacement = coveringLeaf(network, length);
        Tables t = tables;
        if (length <= 24) {
            rewriteFirstLevel(t, network >>> 8, 1 << (24 - length), length, replacement, false);
        } else {
            removeLong(t, network, length, replacement);
        }
        size--;
        if (length > 8 && --pageRouteCount[network >>> 24] == 0) {
            // Every entry of the page now equals its uniform entry: readers lose nothing.
            PAGE.setRelease(t.pages, network >>> 24, null);
        }
        return true;
    }

    /**
     * The next hop of the longest prefix that contains {@code address}, or {@link #NO_ROUTE}.
     * Lock-free and allocation-free; safe concurrently with the writer.
     */
    public int lookup(int address) {
        for (;;) {
            Tables t = tables;
            int pageIndex = address >>> 24;
            int[] page = (int[]) PAGE.getAcquire(t.pages, pageIndex);
            int entry = page != null
                    ? (int) INT.getAcquire(page, (address >>> 8) & (PAGE_SIZE - 1))
                    : (int) INT.getAcquire(t.uniform, pageIndex);
            if ((entry & EXTENDED) == 0) {
                return entry < 0 ? entry & VALUE_MASK : NO_ROUTE;
            }
            long[] groups = t.groups;
            int slot = ((entry & VALUE_MASK) << 8) | (address & 0xFF);
            if (slot >= 0 && slot < groups.length) {
                long tagged = (long) LONG.getAcquire(groups, slot);
                if ((int) (tagged >>> 32) == (address >>> 8) + 1) {
                    int leaf = (int) tagged;
                    return leaf < 0 ? leaf & VALUE_MASK : NO_ROUTE;
                }
            }
            // The group was recycled for another /24 after the entry was read: read again.
        }
    }

    /**
     * Looks up {@code count} addresses; {@code nextHops[i]} receives the answer for
     * {@code addresses[i]} as {@link #lookup(int)} would give it.
     */
    public void lookup(int[] addresses, int[] nextHops, int count) {
        for (int i = 0; i < count; i++) {
            nextHops[i] = lookup(addresses[i]);
        }
    }

    /** The next hop of exactly this prefix/length (host bits ignored), or {@link #NO_ROUTE}. Control plane. */
    public int get(int prefix, int length) {
        checkLength(length);
        IntIntMap lengthRules = rules[length];
        if (lengthRules == null) {
            return NO_ROUTE;
        }
        int nextHop = lengthRules.get(prefix & netmask(length));
        return nextHop == IntIntMap.ABSENT ? NO_ROUTE : nextHop;
    }

    /** Number of routes. Control plane. */
    public int size() {
        return size;
    }

    /** Removes every route; concurrent lookups see either the old table or the empty one. */
    public void clear() {
        tables = new Tables();
        rules = new IntIntMap[33];
        size = 0;
        pageRouteCount = new int[PAGES];
        groupRouteCount = new int[INITIAL_GROUPS];
        freeGroups = new int[INITIAL_GROUPS];
        freeGroupCount = 0;
        groupsEverUsed = 0;
    }

    /**
     * Visits every route ordered by prefix (as an unsigned address), then by length. Control
     * plane: must not run concurrently with the writer; allocates a sorted snapshot.
     */
    public void forEach(RouteVisitor4 visitor) {
        long[] sorted = new long[size];
        int n = 0;
        for (int length = 0; length <= 32; length++) {
            IntIntMap lengthRules = rules[length];
            if (lengthRules == null) {
                continue;
            }
            int count = lengthRules.size();
            long[] part = new long[count];
            int[] filled = {0};
            long lengthBits = (long) length << 24;
            lengthRules.forEach((network, nextHop) ->
                    part[filled[0]++] = (network & 0xFFFF_FFFFL) << 30 | lengthBits | nextHop);
            System.arraycopy(part, 0, sorted, n, count);
            n += count;
        }
        // 32 bits of prefix, 6 of length, 24 of next hop: a non-negative long that sorts right.
        Arrays.sort(sorted, 0, n);
        for (int i = 0; i < n; i++) {
            long route = sorted[i];
            visitor.visit((int) (route >>> 30), (int) (route >>> 24) & DEPTH_MASK, (int) route & VALUE_MASK);
        }
    }

    /** Number of second-level groups in use (routes longer than /24 spread over this many /24s). */
    public int groupsInUse() {
        return groupsEverUsed - freeGroupCount;
    }

    // ---------------------------------------------------------------- writer internals

    /**
     * Applies an add (overwrite answers of depth <= length) or a remove (overwrite answers of
     * depth == length) of a route of length 0..24 to the first-level entries
     * [{@code first}, {@code first + count}) and to the groups they point to.
     */
    private static void rewriteFirstLevel(Tables t, int first, int count, int length, int replacement,
                                          boolean adding) {
        int end = first + count;
        for (int pageIndex = first >>> 16; pageIndex <= (end - 1) >>> 16; pageIndex++) {
            int pageStart = pageIndex << 16;
            int from = Math.max(first, pageStart) - pageStart;
            int to = Math.min(end, pageStart + PAGE_SIZE) - pageStart;
            int[] page = t.pages[pageIndex];
            if (from == 0 && to == PAGE_SIZE) {
                int uniform = t.uniform[pageIndex];
                int rewritten = rewritten(uniform, length, replacement, adding);
                if (rewritten != uniform) {
                    INT.setRelease(t.uniform, pageIndex, rewritten);
                }
                if (page != null) {
                    rewriteEntries(t, page, pageStart, from, to, length, replacement, adding);
                }
            } else if (page != null) {
                rewriteEntries(t, page, pageStart, from, to, length, replacement, adding);
            } else if (adding) {
                // First route longer than /8 in this /8: build the page, then publish it.
                page = new int[PAGE_SIZE];
                Arrays.fill(page, t.uniform[pageIndex]);
                for (int k = from; k < to; k++) {
                    page[k] = rewritten(page[k], length, replacement, true);
                }
                PAGE.setRelease(t.pages, pageIndex, page);
            }
        }
    }

    private static void rewriteEntries(Tables t, int[] page, int pageStart, int from, int to, int length,
                                       int replacement, boolean adding) {
        long[] groups = t.groups;
        for (int k = from; k < to; k++) {
            int entry = page[k];
            if ((entry & EXTENDED) != 0) {
                rewriteGroup(groups, entry & VALUE_MASK, pageStart + k, 0, GROUP_SIZE, length, replacement, adding);
            } else {
                int rewritten = rewritten(entry, length, replacement, adding);
                if (rewritten != entry) {
                    INT.setRelease(page, k, rewritten);
                }
            }
        }
    }

    private static void rewriteGroup(long[] groups, int group, int index24, int from, int to, int length,
                                     int replacement, boolean adding) {
        int base = group << 8;
        long owner = ownerTag(index24);
        for (int octet = from; octet < to; octet++) {
            int leaf = (int) groups[base + octet];
            int rewritten = rewritten(leaf, length, replacement, adding);
            if (rewritten != leaf) {
                LONG.setRelease(groups, base + octet, owner | (rewritten & 0xFFFF_FFFFL));
            }
        }
    }

    private void addLong(Tables t, int network, int length, int leaf, boolean fresh) {
        int index24 = network >>> 8;
        int pageIndex = index24 >>> 16;
        int k = index24 & (PAGE_SIZE - 1);
        int from = network & 0xFF;
        int to = from + (1 << (32 - length));
        int[] page = t.pages[pageIndex];
        boolean newPage = page == null;
        if (newPage) {
            page = new int[PAGE_SIZE];
            Arrays.fill(page, t.uniform[pageIndex]);
        }
        int entry = page[k];
        if ((entry & EXTENDED) != 0) {
            int group = entry & VALUE_MASK;
            rewriteGroup(t.groups, group, index24, from, to, length, leaf, true);
            if (fresh) {
                groupRouteCount[group]++;
            }
        } else {
            int group = allocateGroup(t);
            long[] groups = t.groups;
            long owner = ownerTag(index24);
            int base = group << 8;
            // The whole group is written before the entry that points to it is published.
            for (int octet = 0; octet < GROUP_SIZE; octet++) {
                int value = octet >= from && octet < to ? leaf : entry;
                LONG.setRelease(groups, base + octet, owner | (value & 0xFFFF_FFFFL));
            }
            groupRouteCount[group] = 1;
            if (newPage) {
                page[k] = VALID | EXTENDED | group;
            } else {
                INT.setRelease(page, k, VALID | EXTENDED | group);
            }
        }
        if (newPage) {
            PAGE.setRelease(t.pages, pageIndex, page);
        }
    }

    private void removeLong(Tables t, int network, int length, int replacement) {
        int index24 = network >>> 8;
        int[] page = t.pages[index24 >>> 16];
        int k = index24 & (PAGE_SIZE - 1);
        int group = page[k] & VALUE_MASK;
        int from = network & 0xFF;
        long[] groups = t.groups;
        rewriteGroup(groups, group, index24, from, from + (1 << (32 - length)), length, replacement, false);
        if (--groupRouteCount[group] == 0) {
            // No route longer than /24 is left: every slot holds the same answer, the best
            // route of length <= 24, so the entry can take it over and the group can go.
            INT.setRelease(page, k, (int) groups[group << 8]);
            if (freeGroupCount == freeGroups.length) {
                freeGroups = Arrays.copyOf(freeGroups, freeGroups.length * 2);
            }
            freeGroups[freeGroupCount++] = group;
        }
    }

    private int allocateGroup(Tables t) {
        if (freeGroupCount > 0) {
            return freeGroups[--freeGroupCount];
        }
        if (groupsEverUsed == MAX_GROUPS) {
            throw new IllegalStateException("second-level group pool exhausted: routes longer than /24 may"
                    + " occupy at most " + MAX_GROUPS + " distinct /24 networks");
        }
        int group = groupsEverUsed;
        long[] groups = t.groups;
        int capacity = groups.length / GROUP_SIZE;
        if (group == capacity) {
            int grown = (int) Math.min(2L * capacity, MAX_GROUPS);
            // Copy, then publish: readers holding the old pool keep reading the answers it had
            // when it was replaced; the writer only ever writes to the new one.
            t.groups = Arrays.copyOf(groups, grown * GROUP_SIZE);
            groupRouteCount = Arrays.copyOf(groupRouteCount, grown);
        }
        groupsEverUsed++;
        return group;
    }

    /** The leaf of the longest route strictly shorter than {@code length} that covers {@code network}, or 0. */
    private int coveringLeaf(int network, int length) {
        for (int shorter = length - 1; shorter >= 0; shorter--) {
            IntIntMap lengthRules = rules[shorter];
            if (lengthRules != null) {
                int nextHop = lengthRules.get(network & netmask(shorter));
                if (nextHop != IntIntMap.ABSENT) {
                    return leaf(shorter, nextHop);
                }
            }
        }
        return 0;
    }

    private static int rewritten(int current, int length, int replacement, boolean adding) {
        boolean valid = current < 0;
        int depth = (current >>> DEPTH_SHIFT) & DEPTH_MASK;
        boolean overwrite = adding ? !valid || depth <= length : valid && depth == length;
        return overwrite ? replacement : current;
    }

    private static int leaf(int length, int nextHop) {
        return VALID | length << DEPTH_SHIFT | nextHop;
    }

    private static long ownerTag(int index24) {
        return (long) (index24 + 1) << 32;
    }

    private static int netmask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    private static void checkLength(int length) {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("length must be 0..32, got " + length);
        }
    }
}
