package io.netfence.fib;

/**
 * Control-plane map from int keys to non-negative int values: linear probing over one packed
 * {@code long[]} (key in the upper half, value in the lower half) with backward-shift deletion,
 * so there are no tombstones and no per-entry objects. Not thread-safe; only the FIB writer uses it.
 */
final class IntIntMap {
    static final int ABSENT = -1;

    /** A free slot. No live slot can equal it because live values are never negative. */
    private static final long FREE = -1L;
    private static final int MIN_CAPACITY = 8;

    private long[] slots;
    private int size;

    IntIntMap() {
        slots = newSlots(MIN_CAPACITY);
    }

    int size() {
        return size;
    }

    /** The value for {@code key}, or {@link #ABSENT}. */
    int get(int key) {
        long[] s = slots;
        int mask = s.length - 1;
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            long slot = s[i];
            if (slot == FREE) {
                return ABSENT;
            }
            if ((int) (slot >>> 32) == key) {
                return (int) slot;
            }
        }
    }

    /** Stores {@code value} (must be >= 0) and returns the previous value or {@link #ABSENT}. */
    int put(int key, int value) {
        long packed = ((long) key << 32) | (value & 0xFFFF_FFFFL);
        long[] s = slots;
        int mask = s.length - 1;
        int i = index(key, mask);
        for (; ; i = (i + 1) & mask) {
            long slot = s[i];
            if (slot == FREE) {
                break;
            }
            if ((int) (slot >>> 32) == key) {
                s[i] = packed;
                return (int) slot;
            }
        }
        s[i] = packed;
        if (++size * 2 > s.length) {
            rehash(s.length * 2);
        }
        return ABSENT;
    }

    /** Adds {@code delta} to the value for {@code key} (absent counts as 0), removing it at 0; returns the new value. */
    int add(int key, int delta) {
        int current = get(key);
        int updated = (current == ABSENT ? 0 : current) + delta;
        if (updated == 0) {
            remove(key);
        } else {
            put(key, updated);
        }
        return updated;
    }

    /** Removes {@code key}; returns its value or {@link #ABSENT}. */
    int remove(int key) {
        long[] s = slots;
        int mask = s.length - 1;
        int i = index(key, mask);
        for (; ; i = (i + 1) & mask) {
            long slot = s[i];
            if (slot == FREE) {
                return ABSENT;
            }
            if ((int) (slot >>> 32) == key) {
                break;
            }
        }
        int removed = (int) s[i];
        // Backward-shift deletion: pull later entries of the same probe run into the hole so
        // that lookups can keep stopping at the first free slot.
        int hole = i;
        for (int j = (hole + 1) & mask; s[j] != FREE; j = (j + 1) & mask) {
            int home = index((int) (s[j] >>> 32), mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                s[hole] = s[j];
                hole = j;
            }
        }
        s[hole] = FREE;
        size--;
        if (size * 8 < s.length && s.length > MIN_CAPACITY) {
            rehash(s.length / 2);
        }
        return removed;
    }

    /** Calls {@code visitor} with every (key, value); the map must not change meanwhile. */
    void forEach(EntryVisitor visitor) {
        for (long slot : slots) {
            if (slot != FREE) {
                visitor.visit((int) (slot >>> 32), (int) slot);
            }
        }
    }

    @FunctionalInterface
    interface EntryVisitor {
        void visit(int key, int value);
    }

    private void rehash(int capacity) {
        long[] old = slots;
        long[] s = newSlots(capacity);
        int mask = capacity - 1;
        for (long slot : old) {
            if (slot != FREE) {
                int i = index((int) (slot >>> 32), mask);
                while (s[i] != FREE) {
                    i = (i + 1) & mask;
                }
                s[i] = slot;
            }
        }
        slots = s;
    }

    private static long[] newSlots(int capacity) {
        long[] s = new long[capacity];
        java.util.Arrays.fill(s, FREE);
        return s;
    }

    /**
     * MurmurHash3's 32-bit finaliser: every key bit reaches every slot bit. Prefixes are keys with
     * many low zero bits (a /24 has eight), which a single multiply leaves crowded into few slots.
     */
    private static int index(int key, int mask) {
        int h = key;
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        return h & mask;
    }
}
