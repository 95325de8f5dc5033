package io.netfence.crypto.internal;

/**
 * The three primitives an engine supplies; the ESP logic on top of them ({@link AeadEsp},
 * {@link CbcHmacEsp}) is shared, so engines only differ where they really differ. One key each,
 * one thread each.
 */
final class Primitives {
    private Primitives() {
    }

    /** An AEAD (AES-GCM or ChaCha20-Poly1305) with a 12-byte nonce. */
    interface Aead {
        /** Encrypts {@code b[off, off + len)} in place and writes the tag after it. */
        void seal(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len);

        /** Checks the tag after {@code b[off, off + len)}; decrypts in place. False if it does not verify. */
        boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len);

        /** Releases native state, wiping key material; the primitive is not used afterwards. */
        default void close() {
        }
    }

    /** AES-CBC without padding, in place, the IV read from the packet; {@code len} a multiple of 16. */
    interface Cbc {
        void crypt(boolean encrypt, byte[] iv, int ivOffset, byte[] b, int off, int len);

        default void close() {
        }
    }

    /** A keyed MAC (HMAC-SHA-2). */
    interface Mac {
        void update(byte[] b, int off, int len);

        /** Writes the full MAC at {@code out[off]} and resets for the next message. */
        void doFinal(byte[] out, int off);

        default void close() {
        }
    }

    /** One AES block encryption under its own random key: unpredictable CBC IVs from a counter. */
    interface Block {
        void encrypt(byte[] in, int inOff, byte[] out, int outOff);

        default void close() {
        }
    }
}
