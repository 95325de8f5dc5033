package io.netfence.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * IPv6 longest-prefix-match table: prefix/length to next-hop id. Addresses are two longs, the
 * upper ({@code hi}) and lower ({@code lo}) 64 bits in network order.
 *
 * <h2>Layout and cost model</h2>
 * A 16-8-8-...-8 multibit trie whose sparse subtrees are small route lists:
 * <ul>
 * <li>A directory with one record per /16 (the top 16 bits of the address, 1 MB, plus a 256 KB
 * array of /16 roots, allocated on the first add): a sequence number and the best route of
 * length 0..16 for that /16 (expanded into every /16 it covers, as DIR-24-8 does).</li>
 * <li>Under each /16 root, the routes longer than /16. A block (the /16, or a /24, /32, ... slot
 * below it) that holds at most {@value #CHUNK_ROUTES} such routes is one <em>chunk</em>: a
 * {@code long[]} listing them longest first (masked prefix and length/next hop), scanned in
 * one or two cache lines. A block with more becomes a <em>node</em> of 256 slots that splits
 * the next 8 bits; routes of up to 8 bits more than the node's depth are expanded into the
 * slots they cover (the longest wins, as in DIR-24-8), longer ones go into the slots' chunks or
 * nodes. A node falls back to a chunk when it holds {@value #MERGE_ROUTES} routes or fewer.</li>
 * </ul>
 * A lookup reads its /16's record, follows nodes (8 bits each) down to a chunk, scans it, and
 * takes the most specific of the chunk's match and the expanded routes met on the way; with no
 * match the record's short-route entry answers. It never loops over prefix lengths: on an
 * Internet-like table of 1M random routes it reads the /16 root, one node slot and one chunk
 * (about 2 cache misses); dense blocks add one 1 KB node per 8 bits of depth, and the upper
 * levels of those are shared and stay in cache. Memory is about 80 bytes per route in the trie
 * plus the per-length hash tables below, about 160 bytes per route in total at 1M routes.
 * <p>
 * The control plane keeps every route in one open-addressing hash table ({@link PrefixTable6})
 * per prefix length: exact-match {@link #get} is one hash probe, {@link #forEach} lists them,
 * and removing a route looks up the next covering one there. Routes of length 0..16 cost one
 * entry write per covered /16 to add or remove; longer routes cost a hash insert or delete and
 * one chunk copy (at most {@value #CHUNK_ROUTES} routes) or up to 128 slot writes in one node.
 *
 * <h2>Concurrency and memory ordering</h2>
 * One writer at a time (the caller serialises {@link #add}, {@link #remove} and {@link #clear});
 * any number of threads may call {@link #lookup} concurrently. {@link #get} is safe from any
 * thread; {@link #size} and {@link #forEach} are control-plane queries for the writer's thread.
 * A lookup returns the answer the table had for its address at some instant during the lookup,
 * never a torn or invented value, and never throws:
 * <ul>
 * <li>A chunk's route list never changes once the chunk is reachable: a changed list is built
 * aside and published with one release store of the slot that holds it, and a new node is
 * completely built before the one release store that makes it reachable. A reader that
 * acquire-loads the reference therefore sees complete contents. Single words that do change in
 * place (a chunk's or node's expanded route, the next hop of a listed route, a node's slot) are
 * written with release stores and read with acquire loads. Replaced chunks and nodes are never
 * written again, and the garbage collector frees them only once no reader holds them.</li>
 * <li>Short-route entries are single longs written with release stores and read with acquire
 * loads.</li>
 * <li>Because a lookup reads several words (slots and expanded routes along its path, the short
 * entry), each update of a route longer than /16 brackets its writes with the /16's sequence
 * number (odd while in progress, a store-store fence after making it odd, a release store
 * making it even). A lookup re-reads the sequence after an acquire fence and starts again if it
 * changed. If it is unchanged, no such update of this /16 started or finished meanwhile; at most
 * one was in progress throughout (the writer is serialised), and every partial state of one
 * update gives each address its old or new answer: for any one address, an update changes one
 * word (the slot that receives a new chunk, a split node or a merged chunk, the expanded route of
 * the slot the address falls in, or a listed route's next hop), and a split or a merge swaps in a
 * structure that gives every address the same answer as the one it replaces, except the
 * addresses the update is changing. Updates of routes of length 0..16 change only the short
 * entry, which the lookup reads once. Readers never wait for the writer: they retry only when an
 * update finished or started, so lookups are lock-free.</li>
 * </ul>
 */
public final class Ipv6Fib {
    /** Returned by {@link #lookup} and {@link #get} when no route matches. */
    public static final int NO_ROUTE = -1;
    /** Largest next-hop id the table can store (24 bits, as {@link Ipv4Fib}). */
    public static final int MAX_NEXT_HOP = 0xFF_FFFF;

    // Short-route entries (lengths 0..16), as in Ipv4Fib: valid bit, depth, next hop.
    private static final int VALID = 0x8000_0000;
    private static final int DEPTH_SHIFT = 24;
    private static final int DEPTH_MASK = 0x3F;
    private static final int VALUE_MASK = 0xFF_FFFF;

    private static final int DIRECT_BITS = 16;
    private static final int BUCKETS = 1 << DIRECT_BITS;
    // Directory record, 2 longs per /16.
    private static final int RECORD = 2;
    private static final int SEQUENCE = 0;
    private static final int SHORT_ROUTE = 1;

    /** Bits resolved per node. */
    private static final int STRIDE = 8;
    private static final int SLOTS = 1 << STRIDE;
    /** A block with more routes than this becomes a node. */
    static final int CHUNK_ROUTES = 8;
    /** A node with this many routes or fewer becomes a chunk again. */
    static final int MERGE_ROUTES = 4;

    /*
     * A chunk is a long[] listing routes as {hi, lo, length << 32 | nextHop}, longest first. A
     * node is an Object[]: SLOTS child references, then at NODE_WORDS a long[] of two words per
     * slot, {inline prefix hi, meta}, and the node's route count (writer only) at NODE_ROUTES.
     * Meta: bit 63 CHILD (the slot's routes are in the child reference: a chunk or a node);
     * otherwise bits 56..62 the length (1..64, 0 = none) and bits 32..55 the next hop of the
     * slot's single route, whose prefix is the inline word; bits 0..31 the slot's expanded route
     * (leaf: length 17..128 << 24 | next hop, 0 = none).
     */
    private static final int NODE_WORDS = SLOTS;
    private static final int NODE_ROUTES = 2 * SLOTS;
    private static final long CHILD = Long.MIN_VALUE;
    private static final int INLINE_LENGTH_SHIFT = 56;
    private static final int INLINE_HOP_SHIFT = 32;
    private static final long INLINE_LENGTH_BITS = 0x7FL << INLINE_LENGTH_SHIFT;
    private static final long LEAF_BITS = 0xFFFF_FFFFL;
    private static final int ROUTE_WORDS = 3;

    private static final long[] MASK_HI = new long[129];
    private static final long[] MASK_LO = new long[129];

    static {
        for (int length = 0; length <= 128; length++) {
            MASK_HI[length] = hiMask(length);
            MASK_LO[length] = loMask(length);
        }
    }

    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle TABLE = MethodHandles.arrayElementVarHandle(long[][].class);

    /** Everything readers touch; {@link #clear} drops it, the first add builds a new one. */
    private static final class Tables {
        final long[] directory = new long[BUCKETS * RECORD];
        /** Per /16: null, a chunk or a node holding the routes longer than /16. */
        final Object[] roots = new Object[BUCKETS];
        final long[][] byLength = new long[129][];
    }

    private volatile Tables tables;

    // Control plane, touched only by the writer.
    private int[] used = new int[129];
    private int[] live = new int[129];
    private int size;

    /** An empty table; the 1.3 MB directory is allocated by the first add. */
    public Ipv6Fib() {
    }

    /**
     * Adds a route, or replaces the next hop of an existing route with the same prefix and length.
     *
     * @param hi      upper 64 bits of the network address
     * @param lo      lower 64 bits; host bits beyond {@code length} are ignored in both
     * @param length  prefix length, 0..128
     * @param nextHop next-hop id, 0..{@link #MAX_NEXT_HOP}
     * @throws IllegalArgumentException if {@code length} or {@code nextHop} is out of range
     */
    public void add(long hi, long lo, int length, int nextHop) {
        checkLength(length);
        if (nextHop < 0 || nextHop > MAX_NEXT_HOP) {
            throw new IllegalArgumentException("nextHop must be 0.." + MAX_NEXT_HOP + ", got " + nextHop);
        }
        long networkHi = hi & hiMask(length);
        long networkLo = lo & loMask(length);
        Tables t = tables;
        if (t == null) {
            t = tables = new Tables();
        }
        long[] table = t.byLength[length];
        int previous = table == null ? NO_ROUTE : PrefixTable6.find(table, networkHi, networkLo);
        if (previous == nextHop) {
            return;
        }
        int bucket = (int) (networkHi >>> 48);
        long[] directory = t.directory;
        if (length <= DIRECT_BITS) {
            put(t, length, networkHi, networkLo, nextHop);
            rewriteShortRoutes(directory, bucket, 1 << (DIRECT_BITS - length), length, shortLeaf(length, nextHop), true);
        } else {
            int record = bucket * RECORD;
            beginWrite(directory, record);
            put(t, length, networkHi, networkLo, nextHop);
            Object root = t.roots[bucket];
            Object updated = addTo(root, DIRECT_BITS, networkHi, networkLo, length, nextHop, previous == NO_ROUTE);
            if (updated != root) {
                SLOT.setRelease(t.roots, bucket, updated);
            }
            endWrite(directory, record);
        }
        if (previous == NO_ROUTE) {
            size++;
        }
    }

    /**
     * Removes a route; the addresses it covered fall back to the next covering route.
     *
     * @return whether the route existed
     */
    public boolean remove(long hi, long lo, int length) {
        checkLength(length);
        Tables t = tables;
        long[] table = t == null ? null : t.byLength[length];
        if (table == null) {
            return false;
        }
        long networkHi = hi & hiMask(length);
        long networkLo = lo & loMask(length);
        int slot = PrefixTable6.locate(table, networkHi, networkLo);
        if (slot < 0 || PrefixTable6.meta(table, slot) < PrefixTable6.LIVE_BASE) {
            return false;
        }
        int bucket = (int) (networkHi >>> 48);
        long[] directory = t.directory;
        if (length <= DIRECT_BITS) {
            delete(t, length, table, slot);
            int replacement = coveringShortLeaf(t, networkHi, length);
            rewriteShortRoutes(directory, bucket, 1 << (DIRECT_BITS - length), length, replacement, false);
        } else {
            int record = bucket * RECORD;
            beginWrite(directory, record);
            delete(t, length, table, slot);
            Object root = t.roots[bucket];
            Object updated = removeFrom(t, root, DIRECT_BITS, networkHi, networkLo, length);
            if (updated != root) {
                SLOT.setRelease(t.roots, bucket, updated);
            }
            endWrite(directory, record);
        }
        size--;
        return true;
    }

    /**
     * The next hop of the longest prefix that contains the address, or {@link #NO_ROUTE}.
     * Lock-free and allocation-free; safe concurrently with the writer.
     */
    public int lookup(long hi, long lo) {
        Tables t = tables;
        if (t == null) {
            return NO_ROUTE;
        }
        long[] directory = t.directory;
        Object[] roots = t.roots;
        int bucket = (int) (hi >>> 48);
        int record = bucket * RECORD;
        for (;;) {
            long sequence = (long) LONG.getAcquire(directory, record + SEQUENCE);
            int nextHop = search(SLOT.getAcquire(roots, bucket), hi, lo);
            if (nextHop < 0) {
                int shortRoute = (int) (long) LONG.getAcquire(directory, record + SHORT_ROUTE);
                nextHop = shortRoute < 0 ? shortRoute & VALUE_MASK : NO_ROUTE;
            }
            // Orders every load above before the sequence re-read (the reader side of the seqlock).
            VarHandle.acquireFence();
            if ((long) LONG.getOpaque(directory, record + SEQUENCE) == sequence) {
                return nextHop;
            }
        }
    }

    /**
     * Looks up {@code count} addresses; {@code nextHops[i]} receives the answer for
     * ({@code his[i]}, {@code los[i]}) as {@link #lookup(long, long)} would give it.
     */
    public void lookup(long[] his, long[] los, int[] nextHops, int count) {
        for (int i = 0; i < count; i++) {
            nextHops[i] = lookup(his[i], los[i]);
        }
    }

    /** The next hop of exactly this prefix/length (host bits ignored), or {@link #NO_ROUTE}. */
    public int get(long hi, long lo, int length) {
        checkLength(length);
        Tables t = tables;
        long[] table = t == null ? null : (long[]) TABLE.getAcquire(t.byLength, length);
        return table == null ? NO_ROUTE : PrefixTable6.find(table, hi & hiMask(length), lo & loMask(length));
    }

    /** Number of routes. Control plane. */
    public int size() {
        return size;
    }

    /** Removes every route; concurrent lookups see either the old table or the empty one. */
    public void clear() {
        tables = null;
        used = new int[129];
        live = new int[129];
        size = 0;
    }

    /**
     * Visits every route ordered by prefix (as an unsigned 128-bit address), then by length.
     * Control plane: must not run concurrently with the writer; allocates a sorted snapshot.
     */
    public void forEach(RouteVisitor6 visitor) {
        Tables t = tables;
        if (t == null) {
            return;
        }
        record Route(long hi, long lo, int length, int nextHop) {
        }
        List<Route> routes = new ArrayList<>(size);
        for (int length = 0; length <= 128; length++) {
            long[] table = t.byLength[length];
            if (table != null) {
                int routeLength = length;
                PrefixTable6.forEachLive(table, (hi, lo, nextHop) -> routes.add(new Route(hi, lo, routeLength, nextHop)));
            }
        }
        routes.sort(Comparator.<Route>comparingLong(r -> r.hi ^ Long.MIN_VALUE)
                .thenComparingLong(r -> r.lo ^ Long.MIN_VALUE)
                .thenComparingInt(Route::length));
        for (Route route : routes) {
            visitor.visit(route.hi, route.lo, route.length, route.nextHop);
        }
    }

    // ---------------------------------------------------------------- reader internals

    /**
     * The next hop of the most specific route longer than /16 in a /16 root, or a negative
     * value. Reads each word once; a stale structure is complete and unchanging.
     */
    private static int search(Object content, long hi, long lo) {
        int best = 0;
        int depth = DIRECT_BITS;
        while (content instanceof Object[] node) {
            long[] words = (long[]) node[NODE_WORDS];
            int slot = slotIndex(hi, lo, depth);
            long meta = (long) LONG.getAcquire(words, 2 * slot + 1);
            if ((int) meta != 0) {
                best = (int) meta;
            }
            if (meta >= 0) {
                // No child: the slot's one route inline (length <= 64), or nothing.
                int length = (int) (meta >>> INLINE_LENGTH_SHIFT);
                if (length != 0 && ((hi ^ words[2 * slot]) & MASK_HI[length]) == 0) {
                    return (int) (meta >>> INLINE_HOP_SHIFT) & VALUE_MASK;
                }
                return best != 0 ? best & VALUE_MASK : NO_ROUTE;
            }
            content = SLOT.getAcquire(node, slot);
            depth += STRIDE;
        }
        if (content != null) {
            long[] chunk = (long[]) content;
            for (int i = 0; i < chunk.length - 2; i += ROUTE_WORDS) {
                long route = (long) LONG.getAcquire(chunk, i + 2);
                int length = (int) (route >>> 32);
                if (((hi ^ chunk[i]) & MASK_HI[length]) == 0 && ((lo ^ chunk[i + 1]) & MASK_LO[length]) == 0) {
                    return (int) route;
                }
            }
        }
        return best != 0 ? best & VALUE_MASK : NO_ROUTE;
    }

    /** The slot of a node at {@code depth} (16, 24, ..., 120) that the address falls in. */
    private static int slotIndex(long hi, long lo, int depth) {
        return (int) (depth < 64 ? hi >>> (56 - depth) : lo >>> (120 - depth)) & (SLOTS - 1);
    }

    // ---------------------------------------------------------------- writer internals: trie

    /**
     * Adds (or, unless {@code fresh}, replaces) a route of length > {@code depth} in a block of
     * depth {@code depth} whose content is {@code content} (null, chunk or node); returns the
     * content the block must hold afterwards (the same object if it changed in place).
     */
    private static Object addTo(Object content, int depth, long hi, long lo, int length, int nextHop, boolean fresh) {
        if (content instanceof Object[] node) {
            insertInNode(node, depth, hi, lo, length, nextHop, fresh);
            return node;
        }
        long[] chunk = (long[]) content;
        int at = chunk == null ? -1 : find(chunk, hi, lo, length);
        if (at >= 0) {
            LONG.setRelease(chunk, at + 2, route(length, nextHop));
            return chunk;
        }
        return routeCount(chunk) < CHUNK_ROUTES
                ? withRoute(chunk, hi, lo, length, nextHop)
                : split(chunk, depth, hi, lo, length, nextHop);
    }

    private static void insertInNode(Object[] node, int depth, long hi, long lo, int length, int nextHop, boolean fresh) {
        long[] words = words(node);
        if (fresh) {
            words[NODE_ROUTES]++;
        }
        int first = slotIndex(hi, lo, depth);
        if (length <= depth + STRIDE) {
            int leaf = leaf(length, nextHop);
            for (int slot = first; slot < first + (1 << (depth + STRIDE - length)); slot++) {
                long meta = words[2 * slot + 1];
                int current = (int) meta;
                if (current == 0 || leafLength(current) <= length) {
                    LONG.setRelease(words, 2 * slot + 1, (meta & ~LEAF_BITS) | (leaf & LEAF_BITS));
                }
            }
        } else {
            publish(node, first, addTo(content(node, first), depth + STRIDE, hi, lo, length, nextHop, fresh));
        }
    }

    /** A node for a block of depth {@code depth} holding a full chunk's routes plus one more. */
    private static Object[] split(long[] chunk, int depth, long hi, long lo, int length, int nextHop) {
        Object[] node = new Object[SLOTS + 1];
        node[NODE_WORDS] = new long[2 * SLOTS + 1];
        for (int i = 0; i < chunk.length; i += ROUTE_WORDS) {
            long route = chunk[i + 2];
            insertInNode(node, depth, chunk[i], chunk[i + 1], (int) (route >>> 32), (int) route, true);
        }
        insertInNode(node, depth, hi, lo, length, nextHop, true);
        return node;
    }

    /** The content of a node's slot as null, a chunk or a node; an inline route as a new one-route chunk. */
    private static Object content(Object[] node, int slot) {
        long[] words = words(node);
        long meta = words[2 * slot + 1];
        if (meta < 0) {
            return node[slot];
        }
        int length = (int) (meta >>> INLINE_LENGTH_SHIFT);
        return length == 0 ? null
                : new long[] {words[2 * slot], 0, route(length, (int) (meta >>> INLINE_HOP_SHIFT) & VALUE_MASK)};
    }

    /**
     * Makes {@code content} the content of a node's slot, keeping its expanded route. Every change
     * is one release store that readers act on (the meta word, or the child reference while the
     * meta already says "child"); the inline prefix word and a new child are written before the
     * meta that makes them used. A child no longer used stays referenced: a reader that read the
     * old meta may still follow it.
     */
    private static void publish(Object[] node, int slot, Object content) {
        long[] words = words(node);
        long meta = words[2 * slot + 1];
        long keep = meta & LEAF_BITS;
        if (content == null) {
            if (meta != keep) {
                LONG.setRelease(words, 2 * slot + 1, keep);
            }
        } else if (content instanceof long[] chunk && chunk.length == ROUTE_WORDS && (int) (chunk[2] >>> 32) <= 64) {
            // One route of length <= 64: inline. The prefix word is never rewritten while the meta
            // says inline (within one update a slot goes from inline to inline only to change the
            // next hop of the same route).
            long inline = keep | (chunk[2] >>> 32) << INLINE_LENGTH_SHIFT | (chunk[2] & VALUE_MASK) << INLINE_HOP_SHIFT;
            assert meta < 0 || (meta & INLINE_LENGTH_BITS) == 0 || words[2 * slot] == chunk[0];
            words[2 * slot] = chunk[0];
            if (meta != inline) {
                LONG.setRelease(words, 2 * slot + 1, inline);
            }
        } else {
            if (node[slot] != content) {
                SLOT.setRelease(node, slot, content);
            }
            if (meta != (keep | CHILD)) {
                LONG.setRelease(words, 2 * slot + 1, keep | CHILD);
            }
        }
    }

    /**
     * Removes an existing route of length > {@code depth} from a block of depth {@code depth}
     * whose content is {@code content}; returns the content the block must hold afterwards.
     */
    private Object removeFrom(Tables t, Object content, int depth, long hi, long lo, int length) {
        if (!(content instanceof Object[] node)) {
            return withoutRoute((long[]) content, hi, lo, length);
        }
        long[] words = words(node);
        words[NODE_ROUTES]--;
        int first = slotIndex(hi, lo, depth);
        if (length <= depth + STRIDE) {
            int replacement = coveringLeaf(t, hi, lo, length, depth);
            for (int slot = first; slot < first + (1 << (depth + STRIDE - length)); slot++) {
                long meta = words[2 * slot + 1];
                if (leafLength((int) meta) == length) {
                    LONG.setRelease(words, 2 * slot + 1, (meta & ~LEAF_BITS) | (replacement & LEAF_BITS));
                }
            }
        } else {
            publish(node, first, removeFrom(t, content(node, first), depth + STRIDE, hi, lo, length));
        }
        return words[NODE_ROUTES] <= MERGE_ROUTES ? merged(t, node, depth, hi, lo) : node;
    }

    /**
     * A chunk with the same answers as a node of depth {@code depth} that holds few routes (its
     * slots' expanded routes included), or null if it holds none. {@code hi}/{@code lo} is any
     * address in it.
     */
    private Object merged(Tables t, Object[] node, int depth, long hi, long lo) {
        List<long[]> routes = new ArrayList<>();
        collect(t, node, depth, hi & MASK_HI[depth], lo & MASK_LO[depth], routes);
        if (routes.isEmpty()) {
            return null;
        }
        routes.sort(Comparator.comparingInt((long[] r) -> (int) (r[2] >>> 32)).reversed());
        long[] chunk = new long[ROUTE_WORDS * routes.size()];
        int at = 0;
        for (long[] r : routes) {
            System.arraycopy(r, 0, chunk, at, ROUTE_WORDS);
            at += ROUTE_WORDS;
        }
        return chunk;
    }

    /**
     * Adds the routes longer than {@code depth} in a node's block ({@code baseHi}/{@code baseLo})
     * as {hi, lo, route}. Expanded routes can hide one another, so the node's own lengths are read
     * from the control plane's hash tables (at most 510 probes); the others from the slots.
     */
    private void collect(Tables t, Object[] node, int depth, long baseHi, long baseLo, List<long[]> out) {
        for (int length = depth + 1; length <= depth + STRIDE; length++) {
            long[] table = t.byLength[length];
            if (table == null || live[length] == 0) {
                continue;
            }
            int shift = 128 - length;
            for (long k = 0; k < 1L << (length - depth); k++) {
                long prefixHi = shift >= 64 ? baseHi | k << (shift - 64) : baseHi;
                long prefixLo = shift >= 64 ? baseLo : baseLo | k << shift;
                int nextHop = PrefixTable6.find(table, prefixHi, prefixLo);
                if (nextHop >= 0) {
                    out.add(new long[] {prefixHi, prefixLo, route(length, nextHop)});
                }
            }
        }
        int childShift = 128 - depth - STRIDE;
        for (int slot = 0; slot < SLOTS; slot++) {
            Object content = content(node, slot);
            if (content instanceof Object[] child) {
                long childHi = childShift >= 64 ? baseHi | (long) slot << (childShift - 64) : baseHi;
                long childLo = childShift >= 64 ? baseLo : baseLo | (long) slot << childShift;
                collect(t, child, depth + STRIDE, childHi, childLo, out);
            } else if (content != null) {
                long[] chunk = (long[]) content;
                for (int at = 0; at < chunk.length; at += ROUTE_WORDS) {
                    out.add(new long[] {chunk[at], chunk[at + 1], chunk[at + 2]});
                }
            }
        }
    }

    /** The leaf of the longest route of length {@code depth + 1 .. length - 1} covering the prefix, or 0. */
    private static int coveringLeaf(Tables t, long hi, long lo, int length, int depth) {
        for (int shorter = length - 1; shorter > depth; shorter--) {
            long[] table = t.byLength[shorter];
            if (table != null) {
                int nextHop = PrefixTable6.find(table, hi & MASK_HI[shorter], lo & MASK_LO[shorter]);
                if (nextHop >= 0) {
                    return leaf(shorter, nextHop);
                }
            }
        }
        return 0;
    }

    private static long[] words(Object[] node) {
        return (long[]) node[NODE_WORDS];
    }

    /** An expanded route in a slot's meta: length (17..128) in bits 24..31, next hop below. */
    private static int leaf(int length, int nextHop) {
        return length << 24 | nextHop;
    }

    private static int leafLength(int leaf) {
        return leaf >>> 24;
    }

    private static long route(int length, int nextHop) {
        return (long) length << 32 | nextHop;
    }

    private static int routeCount(long[] chunk) {
        return chunk == null ? 0 : chunk.length / ROUTE_WORDS;
    }

    /** Index of the route's first word in the chunk, or -1. */
    private static int find(long[] chunk, long hi, long lo, int length) {
        for (int i = 0; i < chunk.length; i += ROUTE_WORDS) {
            if (chunk[i] == hi && chunk[i + 1] == lo && (int) (chunk[i + 2] >>> 32) == length) {
                return i;
            }
        }
        return -1;
    }

    /** A copy of the chunk (or of an empty one) with the route inserted after all routes at least as long. */
    private static long[] withRoute(long[] chunk, long hi, long lo, int length, int nextHop) {
        if (chunk == null) {
            return new long[] {hi, lo, route(length, nextHop)};
        }
        long[] copy = new long[chunk.length + ROUTE_WORDS];
        int at = 0;
        while (at < chunk.length && (int) (chunk[at + 2] >>> 32) >= length) {
            at += ROUTE_WORDS;
        }
        System.arraycopy(chunk, 0, copy, 0, at);
        copy[at] = hi;
        copy[at + 1] = lo;
        copy[at + 2] = route(length, nextHop);
        System.arraycopy(chunk, at, copy, at + ROUTE_WORDS, chunk.length - at);
        return copy;
    }

    /** A copy of the chunk without the route, or null if nothing would be left. */
    private static long[] withoutRoute(long[] chunk, long hi, long lo, int length) {
        if (chunk.length == ROUTE_WORDS) {
            return null;
        }
        int at = find(chunk, hi, lo, length);
        long[] copy = new long[chunk.length - ROUTE_WORDS];
        System.arraycopy(chunk, 0, copy, 0, at);
        System.arraycopy(chunk, at + ROUTE_WORDS, copy, at, chunk.length - at - ROUTE_WORDS);
        return copy;
    }

    // ---------------------------------------------------------------- writer internals: directory, hash tables

    private static void beginWrite(long[] directory, int record) {
        LONG.setOpaque(directory, record + SEQUENCE, directory[record + SEQUENCE] + 1);
        // The odd sequence must be visible before any write it guards.
        VarHandle.storeStoreFence();
    }

    private static void endWrite(long[] directory, int record) {
        LONG.setRelease(directory, record + SEQUENCE, directory[record + SEQUENCE] + 1);
    }

    /** Inserts or updates a key in its length's table, rebuilding the table aside when it is too full. */
    private void put(Tables t, int length, long hi, long lo, int nextHop) {
        long[] table = t.byLength[length];
        if (table == null) {
            table = PrefixTable6.create(PrefixTable6.MIN_CAPACITY);
            TABLE.setRelease(t.byLength, length, table);
        }
        int slot = PrefixTable6.locate(table, hi, lo);
        if (slot >= 0) {
            if (PrefixTable6.meta(table, slot) == PrefixTable6.DELETED) {
                live[length]++;
            }
            PrefixTable6.setMeta(table, slot, PrefixTable6.LIVE_BASE + nextHop);
            return;
        }
        if (PrefixTable6.hasRoomFor(table, used[length])) {
            PrefixTable6.insert(table, -slot - 1, hi, lo, nextHop);
            used[length]++;
        } else {
            long[] rebuilt = PrefixTable6.rebuilt(table, PrefixTable6.capacityFor(live[length] + 1));
            PrefixTable6.insert(rebuilt, -PrefixTable6.locate(rebuilt, hi, lo) - 1, hi, lo, nextHop);
            TABLE.setRelease(t.byLength, length, rebuilt);
            used[length] = live[length] + 1;
        }
        live[length]++;
    }

    private void delete(Tables t, int length, long[] table, int slot) {
        PrefixTable6.setMeta(table, slot, PrefixTable6.DELETED);
        live[length]--;
        int capacity = PrefixTable6.capacity(table);
        if (capacity > PrefixTable6.MIN_CAPACITY && (long) live[length] * 8 < capacity) {
            // Mostly empty after mass removal: give the memory back.
            TABLE.setRelease(t.byLength, length, PrefixTable6.rebuilt(table, PrefixTable6.capacityFor(live[length])));
            used[length] = live[length];
        }
    }

    /**
     * Applies an add (overwrite answers of depth <= length) or a remove (overwrite answers of
     * depth == length) of a route of length 0..16 to the short-route entries of {@code count}
     * consecutive /16s.
     */
    private static void rewriteShortRoutes(long[] directory, int firstBucket, int count, int length,
                                           int replacement, boolean adding) {
        for (int bucket = firstBucket; bucket < firstBucket + count; bucket++) {
            int word = bucket * RECORD + SHORT_ROUTE;
            int current = (int) directory[word];
            boolean valid = current < 0;
            int depth = (current >>> DEPTH_SHIFT) & DEPTH_MASK;
            if (adding ? !valid || depth <= length : valid && depth == length) {
                LONG.setRelease(directory, word, (long) replacement);
            }
        }
    }

    /** The leaf of the longest route shorter than {@code length} (<= 16) covering the network, or 0. */
    private static int coveringShortLeaf(Tables t, long networkHi, int length) {
        for (int shorter = length - 1; shorter >= 0; shorter--) {
            long[] table = t.byLength[shorter];
            if (table != null) {
                int nextHop = PrefixTable6.find(table, networkHi & hiMask(shorter), 0L);
                if (nextHop >= 0) {
                    return shortLeaf(shorter, nextHop);
                }
            }
        }
        return 0;
    }

    private static int shortLeaf(int length, int nextHop) {
        return VALID | length << DEPTH_SHIFT | nextHop;
    }

    private static long hiMask(int length) {
        return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
    }

    private static long loMask(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }

    private static void checkLength(int length) {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("length must be 0..128, got " + length);
        }
    }
}
