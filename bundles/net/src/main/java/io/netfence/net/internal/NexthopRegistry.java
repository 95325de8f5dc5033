package io.netfence.net.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The control plane's next-hop table: interns (type, port, gateway) so that a million routes via
 * a handful of gateways share a handful of ids, counts references, and builds the immutable
 * {@link Nexthops} that the packet path reads.
 *
 * <p>An id whose last route went away is not reused at once: a worker may have looked it up in
 * the FIB just before the route was removed and still be about to read it. It waits in limbo
 * until every packet thread has moved to a configuration generation newer than the one current
 * when it was freed (the caller publishes a new generation after freeing).
 */
final class NexthopRegistry {
    private record Key(int type, int port, boolean hasGateway, long gatewayHi, long gatewayLo) {
    }

    private byte[] type = new byte[16];
    private int[] port = new int[16];
    private boolean[] hasGateway = new boolean[16];
    private long[] gatewayHi = new long[16];
    private long[] gatewayLo = new long[16];
    private int[] refs = new int[16];
    private Key[] keys = new Key[16];
    private int highWater;
    private final Map<Key, Integer> ids = new HashMap<>();

    private int[] free = new int[16];
    private int freeCount;
    private int[] limbo = new int[16];
    private long[] limboGeneration = new long[16];
    private int limboCount;

    private boolean dirty = true;
    private boolean freedSincePublish;
    private Nexthops published = Nexthops.EMPTY;

    /**
     * An id for the next hop, with one more reference. {@code quiescentBelow}: every packet
     * thread has moved past all generations below it (ids freed before then may be reused).
     */
    int acquire(int nhType, int nhPort, boolean gw, long gwHi, long gwLo, long quiescentBelow) {
        Key k = new Key(nhType, nhPort, gw, gw ? gwHi : 0, gw ? gwLo : 0);
        Integer existing = ids.get(k);
        if (existing != null) {
            refs[existing]++;
            return existing;
        }
        reclaim(quiescentBelow);
        int id;
        if (freeCount > 0) {
            id = free[--freeCount];
        } else {
            id = highWater++;
            if (id == type.length) {
                int n = type.length * 2;
                type = Arrays.copyOf(type, n);
                port = Arrays.copyOf(port, n);
                hasGateway = Arrays.copyOf(hasGateway, n);
                gatewayHi = Arrays.copyOf(gatewayHi, n);
                gatewayLo = Arrays.copyOf(gatewayLo, n);
                refs = Arrays.copyOf(refs, n);
                keys = Arrays.copyOf(keys, n);
            }
        }
        type[id] = (byte) nhType;
        port[id] = nhPort;
        hasGateway[id] = gw;
        gatewayHi[id] = k.gatewayHi();
        gatewayLo[id] = k.gatewayLo();
        refs[id] = 1;
        keys[id] = k;
        ids.put(k, id);
        dirty = true;
        return id;
    }

    /** Drops one reference; the id goes to limbo (tagged with {@code generation}) when none remain. */
    void release(int id, long generation) {
        if (--refs[id] > 0) {
            return;
        }
        ids.remove(keys[id]);
        keys[id] = null;
        if (limboCount == limbo.length) {
            limbo = Arrays.copyOf(limbo, limboCount * 2);
            limboGeneration = Arrays.copyOf(limboGeneration, limboCount * 2);
        }
        limbo[limboCount] = id;
        limboGeneration[limboCount] = generation;
        limboCount++;
        freedSincePublish = true;
    }

    private void reclaim(long quiescentBelow) {
        int kept = 0;
        for (int i = 0; i < limboCount; i++) {
            if (limboGeneration[i] < quiescentBelow) {
                if (freeCount == free.length) {
                    free = Arrays.copyOf(free, freeCount * 2);
                }
                free[freeCount++] = limbo[i];
            } else {
                limbo[kept] = limbo[i];
                limboGeneration[kept] = limboGeneration[i];
                kept++;
            }
        }
        limboCount = kept;
    }

    int type(int id) {
        return type[id];
    }

    int port(int id) {
        return port[id];
    }

    boolean hasGateway(int id) {
        return hasGateway[id];
    }

    long gatewayHi(int id) {
        return gatewayHi[id];
    }

    long gatewayLo(int id) {
        return gatewayLo[id];
    }

    /** True (once) if ids were freed since the last call: a new generation must be published. */
    boolean takeFreed() {
        boolean f = freedSincePublish;
        freedSincePublish = false;
        return f;
    }

    /** The table for the packet path; a new copy only when ids were added or reused. */
    Nexthops snapshot() {
        if (dirty) {
            int n = highWater;
            published = new Nexthops(Arrays.copyOf(type, n), Arrays.copyOf(port, n), Arrays.copyOf(hasGateway, n),
                    Arrays.copyOf(gatewayHi, n), Arrays.copyOf(gatewayLo, n));
            dirty = false;
        }
        return published;
    }
}
