package io.netfence.net.internal;

import io.netfence.packet.IpAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane's routes of one family, columnar so a million routes cost tens of bytes
 * each rather than a few objects each. Routes with the same prefix form a chain ordered by table
 * (local first, as Linux consults its local table before main), then metric, then age; the head
 * of each chain is what the FIB holds. An open-addressing index maps a prefix to its chain head.
 * Not thread-safe: only used under the control-plane lock.
 */
final class RouteTable {
    static final int NONE = -1;

    final int family;
    private final int maxLength;

    private long[] hi;
    private long[] lo;
    /** Prefix length, or -1 for a free entry. */
    private short[] length;
    private byte[] type;
    private boolean[] local;
    private int[] metric;
    private int[] nexthop;
    private byte[] protocol;
    /** Next entry of the same prefix (or of the free list). */
    private int[] next;
    private int top;
    private int freeList = NONE;
    private int size;

    /** Chain heads by prefix: entry ids, NONE when empty. */
    private int[] index = newIndex(64);
    private int prefixes;

    private final Map<Integer, IpAddress> preferredSource = new HashMap<>();
    private final List<String> protocols = new ArrayList<>(List.of("kernel", "static"));

    RouteTable(int family) {
        this.family = family;
        this.maxLength = family == 4 ? 32 : 128;
        int n = 64;
        hi = family == 6 ? new long[n] : null;
        lo = new long[n];
        length = new short[n];
        type = new byte[n];
        local = new boolean[n];
        metric = new int[n];
        nexthop = new int[n];
        protocol = new byte[n];
        next = new int[n];
    }

    private static int[] newIndex(int capacity) {
        int[] a = new int[capacity];
        Arrays.fill(a, NONE);
        return a;
    }

    int size() {
        return size;
    }

    /** Entry ids run from 0 to this (exclusive); free ones have {@link #length} -1. */
    int end() {
        return top;
    }

    boolean live(int id) {
        return length[id] >= 0;
    }

    long hi(int id) {
        return hi == null ? 0 : hi[id];
    }

    long lo(int id) {
        return lo[id];
    }

    int length(int id) {
        return length[id];
    }

    int type(int id) {
        return type[id];
    }

    boolean local(int id) {
        return local[id];
    }

    int metric(int id) {
        return metric[id];
    }

    int nexthop(int id) {
        return nexthop[id];
    }

    String protocol(int id) {
        return protocols.get(protocol[id]);
    }

    IpAddress preferredSource(int id) {
        return preferredSource.get(id);
    }

    int next(int id) {
        return next[id];
    }

    /** Head of the chain for the prefix, or NONE. {@code hi/lo} must already be masked to {@code len}. */
    int head(long h, long l, int len) {
        int[] idx = index;
        int mask = idx.length - 1;
        for (int i = hash(h, l, len) & mask; ; i = (i + 1) & mask) {
            int id = idx[i];
            if (id == NONE) {
                return NONE;
            }
            if (lo[id] == l && length(id) == len && hi(id) == h) {
                return id;
            }
        }
    }

    /** Interns a protocol name ("kernel", "static", "boot"...): at most 255 distinct ones. */
    int protocolId(String name) {
        int i = protocols.indexOf(name);
        if (i >= 0) {
            return i;
        }
        if (protocols.size() == 255) {
            throw new IllegalStateException("too many distinct route protocols");
        }
        protocols.add(name);
        return protocols.size() - 1;
    }

    /** Adds a route and links it into its prefix chain; returns its id. Duplicates are the caller's concern. */
    int add(long h, long l, int len, int routeType, boolean isLocal, int routeMetric, int nh, int protocolId,
            IpAddress prefSrc) {
        int id = allocate();
        if (hi != null) {
            hi[id] = h;
        }
        lo[id] = l;
        length[id] = (short) len;
        type[id] = (byte) routeType;
        local[id] = isLocal;
        metric[id] = routeMetric;
        nexthop[id] = nh;
        protocol[id] = (byte) protocolId;
        if (prefSrc != null) {
            preferredSource.put(id, prefSrc);
        }
        size++;
        int head = head(h, l, len);
        if (head == NONE) {
            next[id] = NONE;
            putIndex(id);
            return id;
        }
        if (before(id, head)) {
            next[id] = head;
            replaceIndex(head, id);
            return id;
        }
        int prev = head;
        while (next[prev] != NONE && !before(id, next[prev])) {
            prev = next[prev];
        }
        next[id] = next[prev];
        next[prev] = id;
        return id;
    }

    /** Chain order: local table first, then lower metric; equal ones keep their age order. */
    private boolean before(int a, int b) {
        if (local[a] != local[b]) {
            return local[a];
        }
        return Integer.compareUnsigned(metric[a], metric[b]) < 0;
    }

    /** Unlinks and frees a route. */
    void remove(int id) {
        long h = hi(id);
        long l = lo[id];
        int len = length(id);
        int head = head(h, l, len);
        if (head == id) {
            if (next[id] == NONE) {
                removeIndex(id);
            } else {
                replaceIndex(id, next[id]);
            }
        } else {
            int prev = head;
            while (next[prev] != id) {
                prev = next[prev];
            }
            next[prev] = next[id];
        }
        preferredSource.remove(id);
        length[id] = -1;
        next[id] = freeList;
        freeList = id;
        size--;
    }

    /** Points a route at another next hop (replace keeps its place in the chain). */
    void setNexthop(int id, int nh, int routeType, int protocolId, IpAddress prefSrc) {
        nexthop[id] = nh;
        type[id] = (byte) routeType;
        protocol[id] = (byte) protocolId;
        if (prefSrc != null) {
            preferredSource.put(id, prefSrc);
        } else {
            preferredSource.remove(id);
        }
    }

    /** The route that a packet to the address would take (longest prefix, chain head), or NONE. */
    int longestMatch(long h, long l) {
        for (int len = maxLength; len >= 0; len--) {
            long mh;
            long ml;
            if (family == 4) {
                mh = 0;
                ml = l & (Addresses.v4Mask(len) & 0xFFFF_FFFFL);
            } else {
                mh = len == 0 ? 0 : len >= 64 ? h : h & (-1L << (64 - len));
                ml = len <= 64 ? 0 : len == 128 ? l : l & (-1L << (128 - len));
            }
            int head = head(mh, ml, len);
            if (head != NONE) {
                return head;
            }
        }
        return NONE;
    }

    private int allocate() {
        if (freeList != NONE) {
            int id = freeList;
            freeList = next[id];
            return id;
        }
        if (top == lo.length) {
            int n = lo.length * 2;
            if (hi != null) {
                hi = Arrays.copyOf(hi, n);
            }
            lo = Arrays.copyOf(lo, n);
            length = Arrays.copyOf(length, n);
            type = Arrays.copyOf(type, n);
            local = Arrays.copyOf(local, n);
            metric = Arrays.copyOf(metric, n);
            nexthop = Arrays.copyOf(nexthop, n);
            protocol = Arrays.copyOf(protocol, n);
            next = Arrays.copyOf(next, n);
        }
        return top++;
    }

    // --- prefix index: linear probing with backward-shift deletion ------------------------------

    private static int hash(long h, long l, int len) {
        long x = h * 0x9E37_79B9_7F4A_7C15L ^ l * 0xC2B2_AE3D_27D4_EB4FL ^ len;
        x ^= x >>> 32;
        x *= 0x94D0_49BB_1331_11EBL;
        return (int) (x ^ (x >>> 29));
    }

    private int slotOf(int id) {
        int[] idx = index;
        int mask = idx.length - 1;
        for (int i = hash(hi(id), lo[id], length(id)) & mask; ; i = (i + 1) & mask) {
            if (idx[i] == id) {
                return i;
            }
        }
    }

    private void putIndex(int id) {
        if ((prefixes + 1) * 2 > index.length) {
            int[] old = index;
            index = newIndex(old.length * 2);
            for (int e : old) {
                if (e != NONE) {
                    insertIndex(e);
                }
            }
        }
        insertIndex(id);
        prefixes++;
    }

    private void insertIndex(int id) {
        int[] idx = index;
        int mask = idx.length - 1;
        int i = hash(hi(id), lo[id], length(id)) & mask;
        while (idx[i] != NONE) {
            i = (i + 1) & mask;
        }
        idx[i] = id;
    }

    private void replaceIndex(int oldHead, int newHead) {
        index[slotOf(oldHead)] = newHead;
    }

    private void removeIndex(int id) {
        int[] idx = index;
        int mask = idx.length - 1;
        int hole = slotOf(id);
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int e = idx[j];
            if (e == NONE) {
                break;
            }
            int ideal = hash(hi(e), lo[e], length(e)) & mask;
            boolean stays = hole <= j ? (hole < ideal && ideal <= j) : (hole < ideal || ideal <= j);
            if (!stays) {
                idx[hole] = e;
                hole = j;
            }
        }
        idx[hole] = NONE;
        prefixes--;
    }
}
