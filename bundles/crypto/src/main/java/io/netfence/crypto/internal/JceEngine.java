package io.netfence.crypto.internal;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.CryptoException;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import org.osgi.service.component.annotations.Component;

/**
 * The JDK's own provider: AES-GCM and AES-CBC run on the CPU's AES and carry-less multiply
 * instructions (the fastest Java engine for AES-GCM on JDK 25); ChaCha20-Poly1305 and HMAC-SHA-2
 * are pure Java. One {@code Cipher} and one key object per transform, re-initialised per packet
 * with the packet's nonce (the JDK keeps the expanded key while the key stays the same).
 */
@Component(service = CryptoEngine.class, immediate = true, property = CryptoEngine.NAME_PROPERTY + "=" + JceEngine.NAME)
public final class JceEngine implements CryptoEngine {
    static final String NAME = "jce";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unsupportedReason(EspSuite suite) {
        if (suite.cipher() == EspSuite.Cipher.AES_GCM && suite.icvBits() < 96) {
            return "the JDK's AES-GCM does not make 64-bit ICVs (it allows 96 to 128 bits)";
        }
        try {
            Cipher.getInstance(transformation(suite));
            if (!suite.cipher().aead()) {
                javax.crypto.Mac.getInstance(suite.auth().jceName());
            }
            return null;
        } catch (GeneralSecurityException e) {
            return "the JDK has no " + suite + ": " + e.getMessage();
        }
    }

    private static String transformation(EspSuite suite) {
        return switch (suite.cipher()) {
            case AES_GCM -> "AES/GCM/NoPadding";
            case CHACHA20_POLY1305 -> "ChaCha20-Poly1305";
            case AES_CBC -> "AES/CBC/NoPadding";
        };
    }

    @Override
    public EspTransform create(EspSuite suite, byte[] encKey, byte[] authKey) {
        Keys.check(suite, encKey, authKey);
        String unsupported = unsupportedReason(suite);
        if (unsupported != null) {
            throw new CryptoException(suite + ": " + unsupported);
        }
        try {
            if (suite.cipher().aead()) {
                byte[] key = Arrays.copyOf(encKey, suite.keyBits() / 8);
                byte[] salt = Arrays.copyOfRange(encKey, key.length, key.length + EspSuite.SALT_BYTES);
                Primitives.Aead aead = aead(suite, key);
                Arrays.fill(key, (byte) 0);
                return new AeadEsp(NAME, suite, aead, salt);
            }
            WipeableKey key = new WipeableKey(encKey, "AES");
            byte[] ivKeyBytes = new byte[16];
            RANDOM.nextBytes(ivKeyBytes);
            WipeableKey ivKey = new WipeableKey(ivKeyBytes, "AES");
            Arrays.fill(ivKeyBytes, (byte) 0);
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, ivKey);
            return new CbcHmacEsp(NAME, suite, new Cbc(key), mac(suite.auth(), authKey), new Block(ecb, ivKey));
        } catch (GeneralSecurityException e) {
            throw new CryptoException("the JDK cannot run " + suite + ": " + e.getMessage(), e);
        }
    }

    /** The AEAD primitive for a suite and its key (salt excluded); known-answer tests use it directly. */
    static Primitives.Aead aead(EspSuite suite, byte[] key) throws GeneralSecurityException {
        return new Aead(suite, new WipeableKey(key, suite.cipher() == EspSuite.Cipher.AES_GCM ? "AES" : "ChaCha20"));
    }

    static Primitives.Mac mac(EspSuite.Auth auth, byte[] key) throws GeneralSecurityException {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance(auth.jceName());
        WipeableKey k = new WipeableKey(key, auth.jceName());
        mac.init(k);
        return new Mac(mac, k);
    }

    /** AES-GCM or ChaCha20-Poly1305 through one javax.crypto.Cipher. */
    private static final class Aead implements Primitives.Aead {
        private final EspSuite suite;
        private final WipeableKey key;
        private Cipher cipher;

        Aead(EspSuite suite, WipeableKey key) throws GeneralSecurityException {
            this.suite = suite;
            this.key = key;
            this.cipher = Cipher.getInstance(transformation(suite));
        }

        private java.security.spec.AlgorithmParameterSpec spec(byte[] nonce) {
            return suite.cipher() == EspSuite.Cipher.AES_GCM ? new GCMParameterSpec(suite.icvBits(), nonce) : new IvParameterSpec(nonce);
        }

        @Override
        public void seal(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, spec(nonce));
                cipher.updateAAD(aad, 0, aadLength);
                cipher.doFinal(b, off, len, b, off);
            } catch (GeneralSecurityException e) {
                // Only a repeated nonce or a short buffer gets here: both are bugs of the caller.
                throw new IllegalStateException("ESP encryption failed: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            try {
                init(nonce);
                cipher.updateAAD(aad, 0, aadLength);
                cipher.doFinal(b, off, len + suite.icvBytes(), b, off);
                return true;
            } catch (AEADBadTagException e) {
                return false;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("ESP decryption failed: " + e.getMessage(), e);
            }
        }

        /**
         * Keys the cipher with zeros (the provider's schedule of the real key is overwritten
         * where it reuses its arrays, dropped otherwise) and wipes the key's bytes.
         */
        @Override
        public void close() {
            WipeableKey zeros = key.zeros();
            try {
                byte[] nonce = new byte[12];
                nonce[0] = 1; // a nonce nobody used with the zero key: the JDK refuses a repeat
                cipher.init(Cipher.ENCRYPT_MODE, zeros, spec(nonce));
            } catch (GeneralSecurityException e) {
                // Nothing to overwrite then; the key bytes below are wiped all the same.
            }
            key.destroy();
        }

        /** The JDK's ChaCha20-Poly1305 refuses the key and nonce it used last, even to decrypt: start afresh then. */
        private void init(byte[] nonce) throws GeneralSecurityException {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, spec(nonce));
            } catch (java.security.InvalidKeyException | java.security.InvalidAlgorithmParameterException e) {
                cipher = Cipher.getInstance(transformation(suite));
                cipher.init(Cipher.DECRYPT_MODE, key, spec(nonce));
            }
        }
    }

    private static final class Cbc implements Primitives.Cbc {
        private final WipeableKey key;
        private final Cipher cipher;

        Cbc(WipeableKey key) throws GeneralSecurityException {
            this.key = key;
            this.cipher = Cipher.getInstance("AES/CBC/NoPadding");
        }

        @Override
        public void close() {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key.zeros(), new IvParameterSpec(new byte[16]));
            } catch (GeneralSecurityException e) {
                // Nothing to overwrite; the key bytes are wiped all the same.
            }
            key.destroy();
        }

        @Override
        public void crypt(boolean encrypt, byte[] iv, int ivOffset, byte[] b, int off, int len) {
            try {
                cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv, ivOffset, 16));
                cipher.doFinal(b, off, len, b, off);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-CBC failed: " + e.getMessage(), e);
            }
        }
    }

    private record Mac(javax.crypto.Mac mac, WipeableKey key) implements Primitives.Mac {
        /** HMAC keeps its padded key in arrays it reuses: keying it with zeros overwrites them. */
        @Override
        public void close() {
            try {
                mac.init(key.zeros());
            } catch (GeneralSecurityException e) {
                // Nothing to overwrite; the key bytes are wiped all the same.
            }
            key.destroy();
        }

        @Override
        public void update(byte[] b, int off, int len) {
            mac.update(b, off, len);
        }

        @Override
        public void doFinal(byte[] out, int off) {
            try {
                mac.doFinal(out, off);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Block(Cipher ecb, WipeableKey key) implements Primitives.Block {
        @Override
        public void close() {
            try {
                ecb.init(Cipher.ENCRYPT_MODE, key.zeros());
            } catch (GeneralSecurityException e) {
                // Nothing to overwrite; the key bytes are wiped all the same.
            }
            key.destroy();
        }

        @Override
        public void encrypt(byte[] in, int inOff, byte[] out, int outOff) {
            try {
                ecb.doFinal(in, inOff, 16, out, outOff);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
