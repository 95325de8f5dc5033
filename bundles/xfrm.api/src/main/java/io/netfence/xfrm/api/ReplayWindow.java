package io.netfence.xfrm.api;

/**
 * Inbound anti-replay for one SA (RFC 4303 section 3.4.3 and appendix A): a sliding bitmap window
 * of {@code size} packets below the highest sequence number seen, with 32-bit or extended (64-bit)
 * sequence numbers. Used in two steps so a forged packet can never move the window:
 * {@link #check} before decryption (cheap rejection of replays, and ESN high-bits inference), and
 * {@link #accept} only after the ICV verified.
 *
 * <p>The bitmap is circular: bit {@code seq mod bits} stands for {@code seq}, where {@code bits} is
 * the window rounded up to a power of two (at least 64); advancing clears only the bits it passes.
 * Thread-safe: workers may decrypt one SA's packets in parallel, as Linux does (check under the
 * state lock, decrypt, re-check and advance under it again): {@link #accept} re-checks, so a
 * packet that two threads verified at once is accepted only once.
 */
public final class ReplayWindow {
    /** Largest window, as Linux allows with ESN. */
    public static final int MAX_SIZE = 4096;
    /** {@link #check} results below zero. */
    public static final long REPLAYED = -1;
    public static final long TOO_OLD = -2;
    /** Sequence number 0 is never sent (RFC 4303 section 3.3.3). */
    public static final long ZERO = -3;

    private final int size;
    private final boolean esn;
    private final long[] bitmap;
    private final int mask;
    /** Highest sequence number accepted so far (0 = none yet). */
    private long top;

    /**
     * @param size packets the window covers, 0 (no replay protection) to {@value #MAX_SIZE}
     * @param esn  extended sequence numbers: only the low 32 bits travel, the high ones are inferred
     */
    public ReplayWindow(int size, boolean esn) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("replay-window " + size + ": expected 0-" + MAX_SIZE);
        }
        this.size = size;
        this.esn = esn;
        int bits = Math.max(64, Integer.highestOneBit(Math.max(1, size - 1)) << 1);
        this.bitmap = new long[bits / 64];
        this.mask = bits - 1;
    }

    public int size() {
        return size;
    }

    public boolean esn() {
        return esn;
    }

    /** The highest sequence number accepted (0 before the first). */
    public synchronized long top() {
        return top;
    }

    /**
     * The full sequence number of a packet carrying {@code low} (its 32 bits as sent), or
     * {@link #REPLAYED}, {@link #TOO_OLD} or {@link #ZERO}. Changes nothing.
     */
    public synchronized long check(int low) {
        long seq = esn ? infer(low) : low & 0xFFFF_FFFFL;
        if (seq == 0) {
            return ZERO;
        }
        if (size == 0 || seq > top) {
            return seq;
        }
        long behind = top - seq;
        if (behind >= size) {
            return TOO_OLD;
        }
        return isSet(seq) ? REPLAYED : seq;
    }

    /**
     * RFC 4303 appendix A2.2: the high half that puts {@code low} closest to the window. If the
     * window lies within one 2^32 block, a low value below the window's bottom belongs to the next
     * block; if the window straddles two, a value at or above the bottom belongs to the previous one.
     */
    private long infer(int low) {
        long tl = top & 0xFFFF_FFFFL;
        long th = top >>> 32;
        long l = low & 0xFFFF_FFFFL;
        long w = Math.max(size, 1);
        long high;
        if (tl >= w - 1) {
            high = l >= tl - w + 1 ? th : th + 1;
        } else {
            long bottom = (tl - w + 1) & 0xFFFF_FFFFL;
            high = l >= bottom ? th - 1 : th;
            if (th == 0 && high < 0) {
                high = 0;
            }
        }
        return (high << 32) | l;
    }

    /**
     * Records a packet whose ICV verified: moves the window forward if it is the newest. Returns
     * false, changing nothing, if meanwhile the number was accepted or fell out of the window
     * (another thread got there first): the packet is then a replay.
     */
    public synchronized boolean accept(long seq) {
        if (size > 0 && seq <= top && (top - seq >= size || isSet(seq))) {
            return false;
        }
        if (seq > top) {
            long advance = seq - top;
            if (advance > mask) {
                java.util.Arrays.fill(bitmap, 0);
            } else {
                for (long s = top + 1; s <= seq; s++) {
                    clear(s);
                }
            }
            top = seq;
        }
        set(seq);
        return true;
    }

    /** The window's content for `ip -s xfrm state` and for moving the SA to another device: bit i is top - i. */
    public synchronized long[] snapshot() {
        long[] out = new long[(size + 63) / 64];
        for (int i = 0; i < size && top - i > 0; i++) {
            if (isSet(top - i)) {
                out[i >>> 6] |= 1L << (i & 63);
            }
        }
        return out;
    }

    /** Restores what {@link #snapshot} gave (with its top), e.g. after a swap or a restart. */
    public synchronized void restore(long newTop, long[] window) {
        java.util.Arrays.fill(bitmap, 0);
        top = newTop;
        for (int i = 0; i < size && i < window.length * 64 && newTop - i > 0; i++) {
            if ((window[i >>> 6] & (1L << (i & 63))) != 0) {
                set(newTop - i);
            }
        }
    }

    private boolean isSet(long seq) {
        int b = (int) (seq & mask);
        return (bitmap[b >>> 6] & (1L << (b & 63))) != 0;
    }

    private void set(long seq) {
        int b = (int) (seq & mask);
        bitmap[b >>> 6] |= 1L << (b & 63);
    }

    private void clear(long seq) {
        int b = (int) (seq & mask);
        bitmap[b >>> 6] &= ~(1L << (b & 63));
    }
}
