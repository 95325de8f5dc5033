package io.netfence.xfrm.internal;

import java.util.List;

/**
 * Inbound SA lookup by (destination address, SPI) for the packet path: open addressing on the
 * SPI, the address compared on a hit. Immutable; allocation-free lookups.
 */
final class SpiIndex {
    static final SpiIndex EMPTY = new SpiIndex(List.of());

    private final int[] spis;
    private final SaEntry[] entries;
    private final int mask;

    SpiIndex(List<SaEntry> sas) {
        int cap = Integer.highestOneBit(Math.max(2, sas.size() * 2 - 1)) << 1;
        mask = cap - 1;
        spis = new int[cap];
        entries = new SaEntry[cap];
        for (SaEntry e : sas) {
            int slot = mix(e.state.spi()) & mask;
            while (entries[slot] != null) {
                slot = (slot + 1) & mask;
            }
            spis[slot] = e.state.spi();
            entries[slot] = e;
        }
    }

    /** The SA for ESP with this SPI sent to (dstHi, dstLo) of this family, or null. */
    SaEntry find(int spi, int family, long dstHi, long dstLo) {
        int slot = mix(spi) & mask;
        while (true) {
            SaEntry e = entries[slot];
            if (e == null) {
                return null;
            }
            if (spis[slot] == spi && e.dstHi == dstHi && e.dstLo == dstLo && e.state.family() == family) {
                return e;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static int mix(int spi) {
        int h = spi * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
