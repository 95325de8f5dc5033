package io.netfence.crypto.internal;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.osgi.service.component.annotations.Component;

/**
 * Bouncy Castle's lightweight API: pure Java, independent of the JDK's provider, so the two check
 * each other. AES-GCM here is far slower than the JDK's intrinsics at large packets, which is why
 * the engine is chosen per algorithm.
 */
@Component(service = CryptoEngine.class, immediate = true, property = CryptoEngine.NAME_PROPERTY + "=" + BcEngine.NAME)
public final class BcEngine implements CryptoEngine {
    static final String NAME = "bc";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unsupportedReason(EspSuite suite) {
        return null;
    }

    @Override
    public EspTransform create(EspSuite suite, byte[] encKey, byte[] authKey) {
        Keys.check(suite, encKey, authKey);
        if (suite.cipher().aead()) {
            byte[] key = Arrays.copyOf(encKey, suite.keyBits() / 8);
            byte[] salt = Arrays.copyOfRange(encKey, key.length, key.length + EspSuite.SALT_BYTES);
            Primitives.Aead aead = aead(suite, key);
            Arrays.fill(key, (byte) 0);
            return new AeadEsp(NAME, suite, aead, salt);
        }
        byte[] ivKey = new byte[16];
        RANDOM.nextBytes(ivKey);
        BlockCipher ivCipher = AESEngine.newInstance();
        KeyParameter ivKeyParameter = new KeyParameter(ivKey);
        ivCipher.init(true, ivKeyParameter);
        Arrays.fill(ivKey, (byte) 0);
        return new CbcHmacEsp(NAME, suite, new Cbc(new KeyParameter(encKey)), mac(suite.auth(), authKey),
                new Block(ivCipher, ivKeyParameter));
    }

    /** The AEAD primitive for a suite and its key (salt excluded); known-answer tests use it directly. */
    static Primitives.Aead aead(EspSuite suite, byte[] key) {
        AEADCipher cipher = suite.cipher() == EspSuite.Cipher.AES_GCM
                ? GCMBlockCipher.newInstance(AESEngine.newInstance()) : new ChaCha20Poly1305();
        return new Aead(cipher, new KeyParameter(key), suite.icvBits());
    }

    static Primitives.Mac mac(EspSuite.Auth auth, byte[] key) {
        HMac hmac = new HMac(digest(auth));
        KeyParameter k = new KeyParameter(key);
        hmac.init(k);
        return new Mac(hmac, k);
    }

    private static Digest digest(EspSuite.Auth auth) {
        return switch (auth) {
            case HMAC_SHA256 -> new SHA256Digest();
            case HMAC_SHA384 -> new SHA384Digest();
            case HMAC_SHA512 -> new SHA512Digest();
            case NONE -> throw new IllegalArgumentException("no authenticator");
        };
    }

    /** Either AEAD; the key is given on the first init only, so its schedule is kept. */
    private static final class Aead implements Primitives.Aead {
        private final AEADCipher cipher;
        private final KeyParameter key;
        private final int tagBits;
        private boolean keyed;

        Aead(AEADCipher cipher, KeyParameter key, int tagBits) {
            this.cipher = cipher;
            this.key = key;
            this.tagBits = tagBits;
        }

        private void init(boolean encrypt, byte[] nonce, byte[] aad, int aadLength) {
            cipher.init(encrypt, new AEADParameters(keyed ? null : key, tagBits, nonce));
            keyed = true;
            cipher.processAADBytes(aad, 0, aadLength);
        }

        @Override
        public void seal(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            init(true, nonce, aad, aadLength);
            int n = cipher.processBytes(b, off, len, b, off);
            try {
                cipher.doFinal(b, off + n);
            } catch (InvalidCipherTextException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * Keys the cipher with zeros, which overwrites the schedule where Bouncy Castle reuses its
         * arrays, and wipes the key parameter (its getKey() is the array itself).
         */
        @Override
        public void close() {
            byte[] nonce = new byte[12];
            nonce[0] = 1;
            try {
                cipher.init(true, new AEADParameters(new KeyParameter(new byte[key.getKeyLength()]), tagBits, nonce));
            } catch (IllegalArgumentException e) {
                // Nothing to overwrite; the key bytes are wiped all the same.
            }
            Arrays.fill(key.getKey(), (byte) 0);
        }

        @Override
        public boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            init(false, nonce, aad, aadLength);
            int n = cipher.processBytes(b, off, len + tagBits / 8, b, off);
            try {
                cipher.doFinal(b, off + n);
                return true;
            } catch (InvalidCipherTextException e) {
                return false;
            }
        }
    }

    private static final class Cbc implements Primitives.Cbc {
        private final KeyParameter key;
        private final BlockCipher cbc = CBCBlockCipher.newInstance(AESEngine.newInstance());
        private final byte[] iv = new byte[16];

        Cbc(KeyParameter key) {
            this.key = key;
        }

        @Override
        public void close() {
            cbc.init(true, new ParametersWithIV(new KeyParameter(new byte[key.getKeyLength()]), iv));
            Arrays.fill(key.getKey(), (byte) 0);
            Arrays.fill(iv, (byte) 0);
        }

        @Override
        public void crypt(boolean encrypt, byte[] ivSource, int ivOffset, byte[] b, int off, int len) {
            System.arraycopy(ivSource, ivOffset, iv, 0, 16);
            cbc.init(encrypt, new ParametersWithIV(key, iv));
            for (int i = 0; i < len; i += 16) {
                cbc.processBlock(b, off + i, b, off + i);
            }
        }
    }

    /** The random key of the CBC IV generator: wiped like the others. */
    private record Block(BlockCipher cipher, KeyParameter key) implements Primitives.Block {
        @Override
        public void encrypt(byte[] in, int inOff, byte[] out, int outOff) {
            cipher.processBlock(in, inOff, out, outOff);
        }

        @Override
        public void close() {
            cipher.init(true, new KeyParameter(new byte[key.getKeyLength()]));
            Arrays.fill(key.getKey(), (byte) 0);
        }
    }

    private record Mac(HMac hmac, KeyParameter key) implements Primitives.Mac {
        /** HMac keeps the padded key in arrays it reuses: keying it with zeros overwrites them. */
        @Override
        public void close() {
            hmac.init(new KeyParameter(new byte[key.getKeyLength()]));
            Arrays.fill(key.getKey(), (byte) 0);
        }

        @Override
        public void update(byte[] b, int off, int len) {
            hmac.update(b, off, len);
        }

        @Override
        public void doFinal(byte[] out, int off) {
            hmac.doFinal(out, off);
        }
    }
}
