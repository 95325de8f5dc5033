package io.netfence.tc.api;

/**
 * A value under a mask, up to 128 bits (IPv6 addresses use both halves; everything else only
 * {@code lo}). A mask of zero matches anything: the key is not part of the match.
 */
public record Masked(long hi, long lo, long maskHi, long maskLo) {
    public static final Masked ANY = new Masked(0, 0, 0, 0);

    public Masked {
        // Bits outside the mask are not part of the value: flower stores them cleared.
        hi &= maskHi;
        lo &= maskLo;
    }

    public static Masked of(long value, long mask) {
        return new Masked(0, value, 0, mask);
    }

    /** An exact match on the low {@code bits} bits. */
    public static Masked exact(long value, int bits) {
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        return new Masked(0, value & mask, 0, mask);
    }

    public boolean isAny() {
        return maskHi == 0 && maskLo == 0;
    }

    public boolean matches(long h, long l) {
        return (h & maskHi) == hi && (l & maskLo) == lo;
    }

    public boolean matches(long l) {
        return (l & maskLo) == lo;
    }

    /** The prefix length of a 32-bit (IPv4) mask, or -1 when the mask is not a prefix. */
    public int prefix32() {
        int m = (int) maskLo;
        int len = Integer.bitCount(m);
        return len == 0 ? (m == 0 ? 0 : -1) : (m == -1 << (32 - len) ? len : -1);
    }

    /** The prefix length of a 128-bit (IPv6) mask, or -1 when the mask is not a prefix. */
    public int prefix128() {
        int hiLen = Long.bitCount(maskHi);
        int loLen = Long.bitCount(maskLo);
        boolean hiOk = hiLen == 0 ? maskHi == 0 : maskHi == -1L << (64 - hiLen);
        boolean loOk = loLen == 0 ? maskLo == 0 : maskLo == -1L << (64 - loLen);
        return hiOk && loOk && (loLen == 0 || hiLen == 64) ? hiLen + loLen : -1;
    }
}
