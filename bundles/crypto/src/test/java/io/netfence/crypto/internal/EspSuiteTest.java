package io.netfence.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.CryptoException;
import io.netfence.crypto.EspSuite;
import org.junit.jupiter.api.Test;

/** Suites are checked as ip xfrm state add would need them: what cannot work is refused, with the accepted values. */
class EspSuiteTest {
    private static void refused(String expected, Runnable r) {
        CryptoException e = assertThrows(CryptoException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void linuxNamesAndKeyMaterial() {
        EspSuite gcm = EspSuite.aead("rfc4106(gcm(aes))", 288, 128);
        assertEquals(256, gcm.keyBits());
        assertEquals(36, gcm.encKeyBytes());
        assertEquals(0, gcm.authKeyBytes());
        EspSuite cbc = EspSuite.encAuth("cbc(aes)", 128, "hmac(sha512)", 256);
        assertEquals(64, cbc.authKeyBytes());
        assertEquals(32, cbc.icvBytes());
        assertEquals(16, cbc.cipher().ivBytes());
    }

    @Test
    void impossibleSuitesAreRefused() {
        refused("expected 128, 192, 256 bits (plus a 32-bit salt)", () -> EspSuite.aead("rfc4106(gcm(aes))", 128, 128));
        refused("expected 64, 96 or 128", () -> EspSuite.aead("rfc4106(gcm(aes))", 160, 32));
        refused("expected 128", () -> EspSuite.aead("rfc7539esp(chacha20,poly1305)", 288, 96));
        refused("expected 256", () -> EspSuite.aead("rfc7539esp(chacha20,poly1305)", 160, 128));
        refused("expected rfc4106", () -> EspSuite.aead("gcm(aes)", 160, 128));
        refused("RFC 4868", () -> EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 96));
        refused("expected hmac(sha256)", () -> EspSuite.encAuth("cbc(aes)", 128, "hmac(md5)", 96));
        refused("expected cbc(aes)", () -> EspSuite.encAuth("cbc(des3_ede)", 192, "hmac(sha256)", 128));
        refused("needs an authenticator", () -> new EspSuite(EspSuite.Cipher.AES_CBC, 128, EspSuite.Auth.NONE, 0));
        refused("takes no separate authenticator", () -> new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.HMAC_SHA256, 128));
    }
}
