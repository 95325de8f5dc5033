package io.netfence.xfrm.api;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Secret key bytes of an SA. Never printed by {@link #toString()} (so keys do not reach logs by
 * accident), and {@link #wipe() wiped} when the SA is deleted; only {@link #hex()} reveals them,
 * for {@code ip xfrm state} output and the configuration file, as Linux's {@code ip xfrm} does.
 */
public final class KeyMaterial {
    private final byte[] bytes;
    private volatile boolean wiped;

    /** Takes a copy of {@code bytes}. */
    public KeyMaterial(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    /** Parses {@code 0x...} hex as iproute2 writes keys; throws IllegalArgumentException on bad hex. */
    public static KeyMaterial parseHex(String text) {
        String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        if (hex.isEmpty() || hex.length() % 2 != 0) {
            throw new IllegalArgumentException("expected 0x followed by an even number of hex digits");
        }
        byte[] b = HexFormat.of().parseHex(hex);
        try {
            return new KeyMaterial(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    public int bits() {
        return bytes.length * 8;
    }

    public int length() {
        return bytes.length;
    }

    /** A copy of the key; the caller wipes it when done. Throws once wiped. */
    public byte[] copy() {
        if (wiped) {
            throw new IllegalStateException("key material was wiped");
        }
        return bytes.clone();
    }

    /** {@code 0x...}, for the display and the configuration file only. */
    public String hex() {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    /** Overwrites the key with zeros; further use throws. */
    public void wipe() {
        Arrays.fill(bytes, (byte) 0);
        wiped = true;
    }

    public boolean wiped() {
        return wiped;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyMaterial k && java.security.MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "KeyMaterial[" + bits() + " bits]";
    }
}
