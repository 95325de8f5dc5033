package io.netfence.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The OpenSSL engine seals and opens without allocating per packet (what the dataplane needs). */
class AllocationTest {
    @Test
    void opensslSealsAndOpensWithoutAllocating() {
        for (EspSuite suite : new EspSuite[] {EspSuite.aead("rfc4106(gcm(aes))", 160, 128),
                EspSuite.aead("rfc7539esp(chacha20,poly1305)", 288, 128), EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128)}) {
            EspTransform t = new OpenSslEngine().create(suite, new byte[suite.encKeyBytes()], new byte[suite.authKeyBytes()]);
            int text = 8 + suite.cipher().ivBytes();
            byte[] p = new byte[text + 1408 + suite.icvBytes()];
            run(t, p, text, 1, 50_000); // warm up: C2 compiles, escape analysis removes the segments
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(id);
            run(t, p, text, 50_001, 100_000);
            long allocated = mx.getThreadAllocatedBytes(id) - before;
            assertTrue(allocated < 64 * 1024, suite + ": " + allocated + " bytes for 100k packets sealed and opened");
        }
    }

    /** destroy() frees the OpenSSL contexts and buffers (they hold the key schedule); twice is harmless. */
    @Test
    void destroyReleasesNativeStateOnce() {
        for (EspSuite suite : new EspSuite[] {EspSuite.aead("rfc4106(gcm(aes))", 160, 128),
                EspSuite.encAuth("cbc(aes)", 256, "hmac(sha512)", 256)}) {
            for (int i = 0; i < 2_000; i++) {
                EspTransform t = new OpenSslEngine().create(suite, new byte[suite.encKeyBytes()], new byte[suite.authKeyBytes()]);
                byte[] p = new byte[8 + suite.cipher().ivBytes() + 1408 + suite.icvBytes()];
                run(t, p, 8 + suite.cipher().ivBytes(), 1, 1);
                t.destroy();
                t.destroy();
            }
        }
    }

    private static void run(EspTransform t, byte[] p, int text, long first, int packets) {
        for (long seq = first; seq < first + packets; seq++) {
            t.writeIv(p, 8, seq);
            t.seal(p, 0, text, 1408, 0, false);
            if (!t.open(p, 0, text, 1408, 0, false)) {
                throw new AssertionError("round trip failed at " + seq);
            }
        }
    }
}
