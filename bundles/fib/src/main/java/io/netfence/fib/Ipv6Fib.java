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
 * A 16-8-8-...-8 multibit trie whose sparse blocks are short route lists:
 * <ul>
 * <li>A directory with one record per /16 (the top 16 bits of the address, 1 MB, plus a 256 KB
 * array of /16 roots, allocated on the first add): a sequence number and the best route of
 * length 0..16 for that /16 (expanded into every /16 it covers, as DIR-24-8 does).</li>
 * <li>Under each /16 root, the routes longer than /16. A block (the /16, or a /24, /32, ... slot
 * below it) that holds at most {@value #CHUNK_ROUTES} such routes is a <em>chunk</em>: an
 * immutable {@code long[]} listing them longest first (masked prefix, length and next hop). A
 * block with more becomes a <em>node</em> of 256 slots that splits the next 8 bits: routes of up
 * to 8 bits more than the node's depth are expanded into the meta word of each slot they cover
 * (the longest wins, as in DIR-24-8); longer routes are the slot's content: up to two routes of
 * length up to /64 are kept inline next to the meta word, more (or a longer one) go into a child
 * chunk or node. A node falls back to a chunk when it holds {@value #MERGE_ROUTES} routes or fewer.</li>
 * </ul>
 * A lookup reads its /16's record and the slot words of its /16 root node (through a per-/16
 * reference, without reading the node itself), follows child nodes (8 bits each) down to inline
 * routes or a chunk, and takes the most specific of that match and the expanded routes met on
 * the way; with no match the record's short-route entry answers. It never loops over prefix
 * lengths. On an Internet-like table of 1M random routes (a node under almost every /16) 92% of
 * lookups end in one 32-byte slot of the root node, one cache miss; the rest, whose /24 holds
 * three or more routes or a route longer than /64, follow a child reference to a chunk. Dense
 * blocks add one node per 8 bits of depth, whose upper levels are shared and stay in cache.
 * <p>
 * Memory: a node is about 9 KB (256 references and 4 longs per slot), a chunk 16 bytes plus 24
 * per route. With the per-length hash tables below, a table of 1M random routes takes about
 * 116 MB (116 bytes per route) and one of 100k about 70 MB (most of its /16s hold a node for about
 * a dozen routes); clustered real tables need fewer nodes per route.
 * <p>
 * The control plane keeps every route in one open-addressing hash table ({@link PrefixTable6})
 * per prefix length: exact-match {@link #get} is one hash probe, {@link #forEach} lists them,
 * and removing a route looks up the next covering one there. Routes of length 0..16 cost one
 * entry write per covered /16 to add or remove; longer routes cost a hash insert or delete and
 * one chunk copy (at most {@value #CHUNK_ROUTES} routes) or up to 128 meta writes in one node;
 * splitting or merging a block costs one node built or collected. Loading 1M routes takes about
 * 1.5 s (about 3 times the hash tables alone).
 *
 * <h2>Concurrency and memory ordering</h2>
 * One writer at a time (the caller serialises {@link #add}, {@link #remove} and {@link #clear});
 * any number of threads may call {@link #lookup} concurrently. {@link #get} is safe from any
 * thread; {@link #size} and {@link #forEach} are control-plane queries for the writer's thread.
 * A lookup returns the answer the table had for its address at some instant during the lookup,
 * never a torn or invented value, and never throws:
 * <ul>
 * <li>A chunk never changes once it is reachable, except for the next hop of a listed route
 * (one word): a changed list is built aside and published with one release store of the
 * reference that holds it, and a new node is completely built before the one release store that
 * makes it reachable. A reader that acquire-loads the reference therefore sees complete
 * contents. A node slot's meta word (expanded route, inline route's length and next hop, child
 * flag) changes with one release store and is read with an acquire load; the inline prefix word
 * and a new child are written before the meta word that makes them used, and the inline prefix
 * is never rewritten while the meta word uses it. Replaced chunks and nodes are never written
 * again, and a child that a meta word no longer uses stays referenced, so a reader that read the
 * old meta word still finds it; the garbage collector frees them once no reader holds them.</li>
 * <li>The per-/16 reference to a root node's slot words is set before the node is published as
 * the root and cleared after it is replaced (the node itself is never replaced in place). A
 * lookup that reads those words and then, for a child, finds a root whose words are not those,
 * searches that root instead: it raced with the one publication of a split or merge, and the
 * root alone gives an answer of that instant.</li>
 * <li>Short-route entries are single longs written with release stores and read with acquire
 * loads.</li>
 * <li>Because a lookup reads several words (slots and expanded routes along its path, the short
 * entry), each update of a route longer than /16 brackets its writes with the /16's sequence
 * number (odd while in progress, a store-store fence after making it odd, a release store
 * making it even). A lookup re-reads the sequence after an acquire fence and starts again if it
 * changed. If it is unchanged, no such update of this /16 started or finished meanwhile; at most
 * one was in progress throughout (the writer is serialised), and every partial state of one
 * update gives each address its old or new answer: for any one address, an update changes one
 * word that the address's lookup acts on (the reference that receives a new chunk, a split node
 * or a merged chunk, the meta word of the slot the address falls in, or a listed route's next
 * hop), and a split or a merge swaps in a structure that gives every address the same answer as
 * the one it replaces, except the addresses the update is changing. Updates of routes of length 0..16 change only the short
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
     * node is an Object[]: SLOTS child references, then at NODE_WORDS a long[] of four words per
     * slot, {prefix hi 1, meta 1, prefix hi 2, meta 2}, and the node's route count (writer only)
     * at NODE_ROUTES. Meta 1: bit 63 CHILD (the slot's routes are in the child reference: a chunk
     * or a node); bits 0..31 the slot's expanded route (leaf: length 17..128 << 24 | next hop,
     * 0 = none). Without CHILD, each meta's bits 56..62 hold the length (1..64, 0 = none) and
     * bits 32..55 the next hop of an inline route whose prefix is the word before it: a slot
     * keeps up to two routes of length <= 64 inline.
     */
    private static final int NODE_WORDS = SLOTS;
    private static final int SLOT_WORDS = 4;
    private static final int NODE_ROUTES = SLOT_WORDS * SLOTS;
    private static final long CHILD = Long.MIN_VALUE;
    private static final int INLINE_LENGTH_SHIFT = 56;
    private static final int INLINE_HOP_SHIFT = 32;
    private static final long LEAF_BITS = 0xFFFF_FFFFL;
    private static final long INLINE_BITS = ~CHILD & ~LEAF_BITS;
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
        /**
         * Per /16 whose root is a node: that node's slot words, so that a lookup reaches them
         * without reading the node first. Set before the node is published, cleared after it is
         * replaced; a lookup that finds the two out of step uses the root itself.
         */
        final Object[] rootWords = new Object[BUCKETS];
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
            publishRoot(t, bucket, root, updated);
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
            publishRoot(t, bucket, root, updated);
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
        Object[] rootWords = t.rootWords;
        int bucket = (int) (hi >>> 48);
        int record = bucket * RECORD;
        for (;;) {
            long sequence = (long) LONG.getAcquire(directory, record + SEQUENCE);
            int nextHop = searchRoot(roots, rootWords, bucket, hi, lo);
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
     * The next hop of the most specific route longer than /16 in a /16, or a negative value.
     * Reads each word once; a stale structure is complete and unchanging.
     */
    private static int searchRoot(Object[] roots, Object[] rootWords, int bucket, long hi, long lo) {
        Object w = SLOT.getAcquire(rootWords, bucket);
        if (w == null) {
            return search(SLOT.getAcquire(roots, bucket), DIRECT_BITS, 0, hi, lo);
        }
        // A root node: its slot words first, the node itself only for a child.
        long[] words = (long[]) w;
        int slot = slotIndex(hi, lo, DIRECT_BITS);
        long meta = (long) LONG.getAcquire(words, SLOT_WORDS * slot + 1);
        int best = (int) meta;
        if (meta >= 0) {
            int nextHop = inlineMatch(words, SLOT_WORDS * slot, meta, hi);
            return nextHop >= 0 ? nextHop : best != 0 ? best & VALUE_MASK : NO_ROUTE;
        }
        Object root = SLOT.getAcquire(roots, bucket);
        if (root instanceof Object[] node && node[NODE_WORDS] == words) {
            return search(SLOT.getAcquire(node, slot), DIRECT_BITS + STRIDE, best, hi, lo);
        }
        // The root was replaced meanwhile (a merge): it alone gives an answer of this instant.
        return search(root, DIRECT_BITS, 0, hi, lo);
    }

    /** Continues a lookup at a block of depth {@code depth} with content {@code content}. */
    private static int search(Object content, int depth, int best, long hi, long lo) {
        while (content instanceof Object[] node) {
            long[] words = (long[]) node[NODE_WORDS];
            int slot = slotIndex(hi, lo, depth);
            long meta = (long) LONG.getAcquire(words, SLOT_WORDS * slot + 1);
            if ((int) meta != 0) {
                best = (int) meta;
            }
            if (meta >= 0) {
                // No child: up to two routes inline (length <= 64), or nothing.
                int nextHop = inlineMatch(words, SLOT_WORDS * slot, meta, hi);
                return nextHop >= 0 ? nextHop : best != 0 ? best & VALUE_MASK : NO_ROUTE;
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

    /** The next hop of the longer matching inline route of a slot whose meta 1 is {@code meta}, or -1. */
    private static int inlineMatch(long[] words, int at, long meta, long hi) {
        long meta2 = (long) LONG.getAcquire(words, at + 3);
        int length = (int) (meta >>> INLINE_LENGTH_SHIFT);
        int length2 = (int) (meta2 >>> INLINE_LENGTH_SHIFT);
        boolean first = length != 0 && ((hi ^ words[at]) & MASK_HI[length]) == 0;
        if (length2 > length || !first) {
            if (length2 != 0 && ((hi ^ words[at + 2]) & MASK_HI[length2]) == 0) {
                return (int) (meta2 >>> INLINE_HOP_SHIFT) & VALUE_MASK;
            }
        }
        return first ? (int) (meta >>> INLINE_HOP_SHIFT) & VALUE_MASK : -1;
    }

    /** The slot of a node at {@code depth} (16, 24, ..., 120) that the address falls in. */
    private static int slotIndex(long hi, long lo, int depth) {
        return (int) (depth < 64 ? hi >>> (56 - depth) : lo >>> (120 - depth)) & (SLOTS - 1);
    }

    // ---------------------------------------------------------------- writer internals: trie

    /** Makes {@code updated} the root of a /16 whose root was {@code root}, keeping rootWords in step. */
    private static void publishRoot(Tables t, int bucket, Object root, Object updated) {
        if (updated == root) {
            return;
        }
        if (updated instanceof Object[] node) {
            SLOT.setRelease(t.rootWords, bucket, words(node));
        }
        SLOT.setRelease(t.roots, bucket, updated);
        if (!(updated instanceof Object[])) {
            SLOT.setRelease(t.rootWords, bucket, null);
        }
    }

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
                long meta = words[SLOT_WORDS * slot + 1];
                int current = (int) meta;
                if (current == 0 || leafLength(current) <= length) {
                    LONG.setRelease(words, SLOT_WORDS * slot + 1, (meta & ~LEAF_BITS) | (leaf & LEAF_BITS));
                }
            }
        } else {
            publish(node, first, addTo(content(node, first), depth + STRIDE, hi, lo, length, nextHop, fresh));
        }
    }

    /** A node for a block of depth {@code depth} holding a full chunk's routes plus one more. */
    private static Object[] split(long[] chunk, int depth, long hi, long lo, int length, int nextHop) {
        Object[] node = new Object[SLOTS + 1];
        node[NODE_WORDS] = new long[SLOT_WORDS * SLOTS + 1];
        for (int i = 0; i < chunk.length; i += ROUTE_WORDS) {
            long route = chunk[i + 2];
            insertInNode(node, depth, chunk[i], chunk[i + 1], (int) (route >>> 32), (int) route, true);
        }
        insertInNode(node, depth, hi, lo, length, nextHop, true);
        return node;
    }

    /** The content of a node's slot as null, a chunk or a node; inline routes as a new chunk. */
    private static Object content(Object[] node, int slot) {
        long[] words = words(node);
        int at = SLOT_WORDS * slot;
        long meta = words[at + 1];
        if (meta < 0) {
            return node[slot];
        }
        long[] chunk = null;
        for (int k = 0; k < SLOT_WORDS; k += 2) {
            long m = words[at + k + 1];
            int length = (int) (m >>> INLINE_LENGTH_SHIFT);
            if (length != 0) {
                chunk = withRoute(chunk, words[at + k], 0, length, (int) (m >>> INLINE_HOP_SHIFT) & VALUE_MASK);
            }
        }
        return chunk;
    }

    /**
     * Makes {@code content} the content of a node's slot, keeping its expanded route. Every change
     * is one release store that readers act on (a meta word, or the child reference while meta 1
     * already says "child"); an inline prefix word and a new child are written before the meta
     * word that makes them used, and an inline position is only rewritten while unused. Within
     * one update, inline positions change one at a time (a route is added, removed or gets a new
     * next hop), and a slot going from a child to inline routes fills both positions while meta 1
     * still says "child" and then clears that flag. A child no longer used stays referenced: a
     * reader that read the old meta may still follow it.
     */
    private static void publish(Object[] node, int slot, Object content) {
        long[] words = words(node);
        int at = SLOT_WORDS * slot;
        long meta = words[at + 1];
        long keep = meta & LEAF_BITS;
        long[] chunk = content instanceof long[] c ? c : null;
        boolean inline = content == null
                || chunk != null && chunk.length <= 2 * ROUTE_WORDS && (int) (chunk[chunk.length - 1] >>> 32) <= 64
                        && (int) (chunk[2] >>> 32) <= 64;
        if (!inline) {
            if (node[slot] != content) {
                SLOT.setRelease(node, slot, content);
            }
            if (meta != (keep | CHILD)) {
                LONG.setRelease(words, at + 1, keep | CHILD);
            }
            return;
        }
        int routes = routeCount(chunk);
        if (meta < 0) {
            // From a child to inline: both positions are unused until the flag goes.
            words[at] = routes > 0 ? chunk[0] : 0;
            words[at + 2] = routes > 1 ? chunk[ROUTE_WORDS] : 0;
            LONG.setRelease(words, at + 3, routes > 1 ? inlineBits(chunk[ROUTE_WORDS + 2]) : 0);
            LONG.setRelease(words, at + 1, keep | (routes > 0 ? inlineBits(chunk[2]) : 0));
            return;
        }
        // Inline to inline: drop positions whose route is gone, then update or place the others.
        for (int k = 0; k < SLOT_WORDS; k += 2) {
            long m = words[at + k + 1];
            if ((m & INLINE_BITS) != 0 && indexOf(chunk, words[at + k], (int) (m >>> INLINE_LENGTH_SHIFT)) < 0) {
                LONG.setRelease(words, at + k + 1, m & LEAF_BITS);
            }
        }
        for (int i = 0; i < routes * ROUTE_WORDS; i += ROUTE_WORDS) {
            int length = (int) (chunk[i + 2] >>> 32);
            int free = -1;
            int found = -1;
            for (int k = 0; k < SLOT_WORDS; k += 2) {
                long m = words[at + k + 1];
                if ((m & INLINE_BITS) == 0) {
                    free = free < 0 ? k : free;
                } else if (words[at + k] == chunk[i] && (int) (m >>> INLINE_LENGTH_SHIFT) == length) {
                    found = k;
                }
            }
            int k = found >= 0 ? found : free;
            long m = words[at + k + 1];
            long updated = (m & LEAF_BITS) | inlineBits(chunk[i + 2]);
            if (found < 0) {
                words[at + k] = chunk[i];
            }
            if (m != updated) {
                LONG.setRelease(words, at + k + 1, updated);
            }
        }
    }

    private static long inlineBits(long route) {
        return (route >>> 32) << INLINE_LENGTH_SHIFT | (route & VALUE_MASK) << INLINE_HOP_SHIFT;
    }

    /** Index of a listed route with this prefix hi (and lo 0) and length, or -1. */
    private static int indexOf(long[] chunk, long hi, int length) {
        return chunk == null ? -1 : find(chunk, hi, 0, length);
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
                long meta = words[SLOT_WORDS * slot + 1];
                if (leafLength((int) meta) == length) {
                    LONG.setRelease(words, SLOT_WORDS * slot + 1, (meta & ~LEAF_BITS) | (replacement & LEAF_BITS));
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
