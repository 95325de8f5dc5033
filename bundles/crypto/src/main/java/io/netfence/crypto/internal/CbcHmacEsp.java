package io.netfence.crypto.internal;

import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import io.netfence.packet.Bytes;
import java.util.Arrays;

/**
 * ESP with AES-CBC (RFC 3602) and HMAC-SHA-2 truncated to half its length (RFC 4868):
 * encrypt-then-MAC over SPI, sequence number, IV and ciphertext, with the sequence number's high
 * half appended under ESN (RFC 4303 section 2.2.1). The ICV is checked, in constant time, before
 * anything is decrypted.
 */
final class CbcHmacEsp implements EspTransform {
    private final String engine;
    private final EspSuite suite;
    private final Primitives.Cbc cbc;
    private final Primitives.Mac mac;
    private final Primitives.Block ivBlock;
    private final int icv;
    private final byte[] digest = new byte[64];
    private final byte[] high = new byte[4];
    private final byte[] counter = new byte[16];

    CbcHmacEsp(String engine, EspSuite suite, Primitives.Cbc cbc, Primitives.Mac mac, Primitives.Block ivBlock) {
        this.engine = engine;
        this.suite = suite;
        this.cbc = cbc;
        this.mac = mac;
        this.ivBlock = ivBlock;
        this.icv = suite.icvBytes();
    }

    @Override
    public EspSuite suite() {
        return suite;
    }

    @Override
    public String engine() {
        return engine;
    }

    /** AES under a random key of the (unique) sequence number: unpredictable, never repeated. */
    @Override
    public void writeIv(byte[] packet, int ivOffset, long sequence) {
        Bytes.put64(counter, 8, sequence);
        ivBlock.encrypt(counter, 0, packet, ivOffset);
    }

    @Override
    public void seal(byte[] p, int esp, int text, int length, int sequenceHigh, boolean esn) {
        if (length % 16 != 0) {
            throw new IllegalStateException("AES-CBC payload of " + length + " bytes is not padded to 16");
        }
        cbc.crypt(true, p, esp + 8, p, text, length);
        authenticate(p, esp, text + length, sequenceHigh, esn);
        System.arraycopy(digest, 0, p, text + length, icv);
    }

    @Override
    public boolean open(byte[] p, int esp, int text, int length, int sequenceHigh, boolean esn) {
        if (length % 16 != 0) {
            return false; // not a CBC payload: refused like a bad ICV
        }
        authenticate(p, esp, text + length, sequenceHigh, esn);
        int diff = 0;
        for (int i = 0; i < icv; i++) {
            diff |= digest[i] ^ p[text + length + i];
        }
        if (diff != 0) {
            return false;
        }
        cbc.crypt(false, p, esp + 8, p, text, length);
        return true;
    }

    private void authenticate(byte[] p, int esp, int end, int sequenceHigh, boolean esn) {
        mac.update(p, esp, end - esp);
        if (esn) {
            Bytes.put32(high, 0, sequenceHigh);
            mac.update(high, 0, 4);
        }
        mac.doFinal(digest, 0);
    }

    @Override
    public void destroy() {
        cbc.close();
        mac.close();
        ivBlock.close();
        Arrays.fill(digest, (byte) 0);
    }
}
