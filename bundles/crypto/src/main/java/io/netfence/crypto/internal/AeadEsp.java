package io.netfence.crypto.internal;

import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import io.netfence.packet.Bytes;
import java.util.Arrays;

/**
 * ESP with an AEAD (RFC 4106 for AES-GCM, RFC 7634 for ChaCha20-Poly1305): the nonce is the
 * 4-byte salt followed by the 8-byte IV carried in the packet; the additional authenticated data
 * is SPI and sequence number, with the sequence number's high half between them under ESN.
 */
final class AeadEsp implements EspTransform {
    private final String engine;
    private final EspSuite suite;
    private final Primitives.Aead aead;
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[12];

    AeadEsp(String engine, EspSuite suite, Primitives.Aead aead, byte[] salt) {
        this.engine = engine;
        this.suite = suite;
        this.aead = aead;
        System.arraycopy(salt, 0, nonce, 0, EspSuite.SALT_BYTES);
    }

    @Override
    public EspSuite suite() {
        return suite;
    }

    @Override
    public String engine() {
        return engine;
    }

    @Override
    public void writeIv(byte[] packet, int ivOffset, long sequence) {
        Bytes.put64(packet, ivOffset, sequence);
    }

    @Override
    public void seal(byte[] p, int esp, int text, int length, int sequenceHigh, boolean esn) {
        aead.seal(prepare(p, esp, sequenceHigh, esn), aad, esn ? 12 : 8, p, text, length);
    }

    @Override
    public boolean open(byte[] p, int esp, int text, int length, int sequenceHigh, boolean esn) {
        return aead.open(prepare(p, esp, sequenceHigh, esn), aad, esn ? 12 : 8, p, text, length);
    }

    /** Fills the AAD (SPI [| seq high] | seq low) and the nonce's IV half; returns the nonce. */
    private byte[] prepare(byte[] p, int esp, int sequenceHigh, boolean esn) {
        System.arraycopy(p, esp, aad, 0, 4);
        if (esn) {
            Bytes.put32(aad, 4, sequenceHigh);
            System.arraycopy(p, esp + 4, aad, 8, 4);
        } else {
            System.arraycopy(p, esp + 4, aad, 4, 4);
        }
        System.arraycopy(p, esp + 8, nonce, 4, 8);
        return nonce;
    }

    @Override
    public void destroy() {
        aead.close();
        Arrays.fill(nonce, (byte) 0);
        Arrays.fill(aad, (byte) 0);
    }
}
