package io.netfence.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.CryptoException;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole ESP payloads: both engines produce the same bytes and each opens what the other sealed. */
class EspTransformTest {
    private static final List<CryptoEngine> ENGINES = List.of(new JceEngine(), new BcEngine(), new OpenSslEngine());

    static Stream<EspSuite> suites() {
        return Stream.of(
                EspSuite.aead("rfc4106(gcm(aes))", 160, 128),
                EspSuite.aead("rfc4106(gcm(aes))", 160, 64),
                EspSuite.aead("rfc4106(gcm(aes))", 288, 96),
                EspSuite.aead("rfc7539esp(chacha20,poly1305)", 288, 128),
                EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128),
                EspSuite.encAuth("cbc(aes)", 256, "hmac(sha384)", 192),
                EspSuite.encAuth("cbc(aes)", 192, "hmac(sha512)", 256));
    }

    /** SPI | seq low | IV | payload (padded to the block) | room for the ICV. */
    private static byte[] packet(EspSuite s, int payload, long seq, SplittableRandom rnd) {
        int text = align(payload, s.cipher().blockBytes());
        byte[] p = new byte[8 + s.cipher().ivBytes() + text + s.icvBytes()];
        p[0] = 0x12;
        p[3] = 0x34;
        p[4] = (byte) (seq >>> 24);
        p[5] = (byte) (seq >>> 16);
        p[6] = (byte) (seq >>> 8);
        p[7] = (byte) seq;
        for (int i = 0; i < text; i++) {
            p[8 + s.cipher().ivBytes() + i] = (byte) rnd.nextInt();
        }
        return p;
    }

    private static int align(int n, int block) {
        return (n + block - 1) / block * block;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void enginesAgreeAndOpenEachOther(EspSuite s) {
        SplittableRandom rnd = new SplittableRandom(s.hashCode());
        byte[] enc = new byte[s.encKeyBytes()];
        byte[] auth = new byte[s.authKeyBytes()];
        rnd.nextBytes(enc);
        rnd.nextBytes(auth);
        // The JDK's GCM has no 64-bit ICV: such suites run on Bouncy Castle alone (two instances).
        boolean jdk = ENGINES.get(0).unsupportedReason(s) == null;
        EspTransform jce = (jdk ? ENGINES.get(0) : ENGINES.get(1)).create(s, enc, auth);
        EspTransform bc = ENGINES.get(1).create(s, enc, auth);
        EspTransform ossl = ENGINES.get(2).create(s, enc, auth);
        int iv = 8;
        for (int size : new int[] {16, 64, 512, 1400, 9000}) {
            for (boolean esn : new boolean[] {false, true}) {
                // Every packet a new sequence number, so a new nonce: a (key, nonce) pair is never reused.
                long seq = 0x1_0000_0005L + 2L * size + (esn ? 1 : 0);
                int high = (int) (seq >>> 32);
                byte[] a = packet(s, size, seq, rnd);
                int text = iv + s.cipher().ivBytes();
                int len = a.length - text - s.icvBytes();
                jce.writeIv(a, iv, seq);
                byte[] plain = Arrays.copyOfRange(a, text, text + len);
                byte[] b = a.clone();
                byte[] o = a.clone();
                jce.seal(a, 0, text, len, high, esn);
                bc.seal(b, 0, text, len, high, esn);
                ossl.seal(o, 0, text, len, high, esn);
                assertArrayEquals(a, b, s + " " + size + " esn " + esn + ": same bytes from jce and bc");
                assertArrayEquals(a, o, s + " " + size + " esn " + esn + ": same bytes from openssl");
                byte[] fromOpenssl = o.clone();
                assertTrue(ossl.open(fromOpenssl, 0, text, len, high, esn), "openssl opens its own");
                assertTrue(ossl.open(b.clone(), 0, text, len, high, esn), "openssl opens what bc sealed");
                assertArrayEquals(plain, Arrays.copyOfRange(fromOpenssl, text, text + len));
                assertNotEquals(Arrays.toString(plain), Arrays.toString(Arrays.copyOfRange(a, text, text + len)), "encrypted");

                byte[] c = a.clone();
                assertTrue(bc.open(a, 0, text, len, high, esn), "bc opens what jce sealed");
                assertArrayEquals(plain, Arrays.copyOfRange(a, text, text + len));
                assertTrue(jce.open(b, 0, text, len, high, esn), "jce opens what bc sealed");
                assertArrayEquals(plain, Arrays.copyOfRange(b, text, text + len));

                if (esn) {
                    byte[] d = c.clone();
                    assertFalse(jce.open(d, 0, text, len, high + 1, true), "the unsent high half is authenticated");
                }
                for (int at : new int[] {0, 4, iv, text, c.length - 1}) {
                    byte[] t = c.clone();
                    t[at] ^= 0x40;
                    assertFalse(jce.open(t.clone(), 0, text, len, high, esn), "jce refuses a change at " + at);
                    assertFalse(ossl.open(t.clone(), 0, text, len, high, esn), "openssl refuses a change at " + at);
                    assertFalse(bc.open(t, 0, text, len, high, esn), "bc refuses a change at " + at);
                }
            }
        }
    }

    @Test
    void theRfc7634EspExampleThroughTheTransform() {
        HexFormat hex = HexFormat.of();
        EspSuite s = EspSuite.aead("rfc7539esp(chacha20,poly1305)", 288, 128);
        byte[] key = hex.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3");
        byte[] plain = hex.parseHex("45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec100007362708090a0b0c0d0e0f10111213"
                + "1415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363701020204");
        byte[] expected = hex.parseHex("24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c614ee8099d52844eb61aa95dfab4c02f7"
                + "2aa71e7c4c4f64c9befe2facc638e8f3cbec163fac469b502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7b11b369907e1ad43");
        for (CryptoEngine e : ENGINES) {
            byte[] p = new byte[16 + plain.length + 16];
            System.arraycopy(hex.parseHex("0102030400000005" + "1011121314151617"), 0, p, 0, 16);
            System.arraycopy(plain, 0, p, 16, plain.length);
            EspTransform t = e.create(s, key, new byte[0]);
            t.seal(p, 0, 16, plain.length, 0, false);
            assertArrayEquals(expected, Arrays.copyOfRange(p, 16, p.length), e.name());
            assertTrue(t.open(p, 0, 16, plain.length, 0, false));
            assertArrayEquals(plain, Arrays.copyOfRange(p, 16, 16 + plain.length));
        }
    }

    @Test
    void aeadIvsAreTheSequenceNumberAndCbcIvsAreUnpredictable() {
        EspSuite gcm = EspSuite.aead("rfc4106(gcm(aes))", 160, 128);
        EspTransform t = new JceEngine().create(gcm, new byte[20], new byte[0]);
        byte[] p = new byte[8];
        t.writeIv(p, 0, 0x0102030405060708L);
        assertArrayEquals(HexFormat.of().parseHex("0102030405060708"), p);

        EspSuite cbc = EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128);
        for (CryptoEngine e : ENGINES) {
            EspTransform c = e.create(cbc, new byte[16], new byte[32]);
            byte[] a = new byte[16];
            byte[] b = new byte[16];
            c.writeIv(a, 0, 1);
            c.writeIv(b, 0, 2);
            assertNotEquals(Arrays.toString(a), Arrays.toString(b));
            assertNotEquals(Arrays.toString(new byte[16]), Arrays.toString(a), "not the counter itself");
        }
    }

    @Test
    void wrongKeyLengthsAreRefusedWithTheExpectedLength() {
        EspSuite gcm = EspSuite.aead("rfc4106(gcm(aes))", 160, 128);
        CryptoException e = assertThrows(CryptoException.class, () -> new JceEngine().create(gcm, new byte[16], new byte[0]));
        assertTrue(e.getMessage().contains("expected 160"), e.getMessage());
        EspSuite cbc = EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128);
        e = assertThrows(CryptoException.class, () -> new BcEngine().create(cbc, new byte[16], new byte[20]));
        assertTrue(e.getMessage().contains("expected 256"), e.getMessage());
        suites().forEach(s -> assertEquals(null, new BcEngine().unsupportedReason(s), "bc " + s));
        EspSuite icv8 = EspSuite.aead("rfc4106(gcm(aes))", 160, 64);
        assertTrue(new JceEngine().unsupportedReason(icv8).contains("64-bit"), new JceEngine().unsupportedReason(icv8));
        e = assertThrows(CryptoException.class, () -> new JceEngine().create(icv8, new byte[20], new byte[0]));
        assertTrue(e.getMessage().contains("64-bit"), e.getMessage());
    }
}
