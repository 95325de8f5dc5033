package io.netfence.crypto.internal;

import io.netfence.crypto.CryptoException;
import io.netfence.crypto.EspSuite;

/** Key length checks every engine applies before it touches a key. */
final class Keys {
    private Keys() {
    }

    static void check(EspSuite suite, byte[] encKey, byte[] authKey) {
        if (encKey == null || encKey.length != suite.encKeyBytes()) {
            int got = encKey == null ? 0 : encKey.length * 8;
            String salt = suite.cipher().aead() ? " (" + suite.keyBits() + " of key and 32 of salt)" : "";
            throw new CryptoException("encryption key of " + got + " bits for " + suite.cipher().linuxName() + ": expected "
                    + suite.encKeyBytes() * 8 + salt);
        }
        int authBytes = authKey == null ? 0 : authKey.length;
        if (authBytes != suite.authKeyBytes()) {
            throw new CryptoException(suite.cipher().aead()
                    ? suite.cipher().linuxName() + " takes no authentication key"
                    : "authentication key of " + authBytes * 8 + " bits for " + suite.auth().linuxName() + ": expected "
                    + suite.authKeyBytes() * 8 + " (RFC 4868)");
        }
    }
}
