package io.netfence.crypto.internal;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A JCE key whose bytes this appliance can wipe: {@code SecretKeySpec} keeps a copy nobody can
 * clear. Providers take the bytes through {@link #getEncoded()} (a copy, as the contract asks)
 * into their own key schedule, which {@link #rekeyWithZeros} overwrites where the provider reuses
 * its arrays.
 */
final class WipeableKey implements SecretKey {
    private final String algorithm;
    private final byte[] key;
    private volatile boolean destroyed;

    WipeableKey(byte[] key, int from, int length, String algorithm) {
        this.key = Arrays.copyOfRange(key, from, from + length);
        this.algorithm = algorithm;
    }

    WipeableKey(byte[] key, String algorithm) {
        this(key, 0, key.length, algorithm);
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("the key was destroyed");
        }
        return key.clone();
    }

    @Override
    public void destroy() {
        Arrays.fill(key, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** An all-zero key of the same length and algorithm: what a cipher is keyed with on close. */
    WipeableKey zeros() {
        return new WipeableKey(new byte[key.length], algorithm);
    }

    /** For tests: true when every byte this object holds is zero. */
    boolean wiped() {
        for (byte b : key) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "WipeableKey[" + algorithm + ", " + key.length * 8 + " bits]";
    }
}
