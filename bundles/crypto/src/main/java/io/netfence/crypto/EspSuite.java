package io.netfence.crypto;

import java.util.Locale;

/**
 * An ESP algorithm suite as {@code ip xfrm state} names it, validated: an AEAD
 * ({@code aead 'rfc4106(gcm(aes))' KEY ICV_BITS}, {@code aead 'rfc7539esp(chacha20,poly1305)' KEY 128})
 * or a cipher with an authenticator ({@code enc 'cbc(aes)' KEY auth-trunc 'hmac(sha256)' KEY 128}).
 * For the AEADs the key material ends with a 4-byte salt, as in Linux: {@code keyBits} counts the
 * cipher key only.
 *
 * @param cipher  the encryption algorithm
 * @param keyBits cipher key length in bits, without the salt
 * @param auth    the separate authenticator, {@link Auth#NONE} for an AEAD
 * @param icvBits length of the integrity check value on the wire
 */
public record EspSuite(Cipher cipher, int keyBits, Auth auth, int icvBits) {
    /** Salt bytes at the end of an AEAD's key material (RFC 4106 section 8.1, RFC 7634 section 2). */
    public static final int SALT_BYTES = 4;

    /** Encryption algorithms, with their Linux crypto API names. */
    public enum Cipher {
        AES_GCM("rfc4106(gcm(aes))", true, 8, 4),
        CHACHA20_POLY1305("rfc7539esp(chacha20,poly1305)", true, 8, 4),
        AES_CBC("cbc(aes)", false, 16, 16);

        private final String linuxName;
        private final boolean aead;
        private final int ivBytes;
        private final int blockBytes;

        Cipher(String linuxName, boolean aead, int ivBytes, int blockBytes) {
            this.linuxName = linuxName;
            this.aead = aead;
            this.ivBytes = ivBytes;
            this.blockBytes = blockBytes;
        }

        public String linuxName() {
            return linuxName;
        }

        public boolean aead() {
            return aead;
        }

        /** Bytes of IV carried in each packet. */
        public int ivBytes() {
            return ivBytes;
        }

        /** What the ESP payload and trailer must be padded to. */
        public int blockBytes() {
            return blockBytes;
        }

        /** The cipher for a Linux name such as {@code rfc4106(gcm(aes))}; null if unknown. */
        public static Cipher ofLinuxName(String name) {
            for (Cipher c : values()) {
                if (c.linuxName.equals(name)) {
                    return c;
                }
            }
            return null;
        }
    }

    /** Authenticators for non-AEAD ciphers, HMAC-SHA-2 truncated to half the digest (RFC 4868). */
    public enum Auth {
        NONE("", 0, ""),
        HMAC_SHA256("hmac(sha256)", 256, "HmacSHA256"),
        HMAC_SHA384("hmac(sha384)", 384, "HmacSHA384"),
        HMAC_SHA512("hmac(sha512)", 512, "HmacSHA512");

        private final String linuxName;
        private final int digestBits;
        private final String jceName;

        Auth(String linuxName, int digestBits, String jceName) {
            this.linuxName = linuxName;
            this.digestBits = digestBits;
            this.jceName = jceName;
        }

        public String linuxName() {
            return linuxName;
        }

        public int digestBits() {
            return digestBits;
        }

        /** The JCA name of the MAC, e.g. HmacSHA256. */
        public String jceName() {
            return jceName;
        }

        /** RFC 4868: the ICV is the first half of the HMAC. */
        public int truncatedBits() {
            return digestBits / 2;
        }

        public static Auth ofLinuxName(String name) {
            for (Auth a : values()) {
                if (a != NONE && a.linuxName.equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }

    public EspSuite {
        if (cipher == null || auth == null) {
            throw new CryptoException("an ESP suite needs a cipher and an authenticator (NONE for an AEAD)");
        }
        switch (cipher) {
            case AES_GCM -> {
                requireKey(cipher, keyBits, 128, 192, 256);
                if (icvBits != 64 && icvBits != 96 && icvBits != 128) {
                    throw new CryptoException("ICV length " + icvBits + " for " + cipher.linuxName() + ": expected 64, 96 or 128");
                }
                requireNoAuth(cipher, auth);
            }
            case CHACHA20_POLY1305 -> {
                requireKey(cipher, keyBits, 256);
                if (icvBits != 128) {
                    throw new CryptoException("ICV length " + icvBits + " for " + cipher.linuxName() + ": expected 128");
                }
                requireNoAuth(cipher, auth);
            }
            case AES_CBC -> {
                requireKey(cipher, keyBits, 128, 192, 256);
                if (auth == Auth.NONE) {
                    throw new CryptoException(cipher.linuxName() + " needs an authenticator: auth-trunc 'hmac(sha256)' KEY 128"
                            + " (encryption without integrity is refused)");
                }
                if (icvBits != auth.truncatedBits()) {
                    throw new CryptoException("ICV length " + icvBits + " for " + auth.linuxName() + ": expected "
                            + auth.truncatedBits() + " (RFC 4868: half the digest)");
                }
            }
        }
    }

    private static void requireKey(Cipher c, int bits, int... allowed) {
        for (int a : allowed) {
            if (a == bits) {
                return;
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int a : allowed) {
            sb.append(sb.isEmpty() ? "" : ", ").append(a);
        }
        String salt = c.aead() ? " (plus a 32-bit salt)" : "";
        throw new CryptoException("key of " + bits + " bits for " + c.linuxName() + ": expected " + sb + " bits" + salt);
    }

    private static void requireNoAuth(Cipher c, Auth auth) {
        if (auth != Auth.NONE) {
            throw new CryptoException(c.linuxName() + " is an AEAD: it takes no separate authenticator (" + auth.linuxName() + ")");
        }
    }

    /** An AEAD suite from its Linux name, the length of its key material in bits (salt included) and its ICV length. */
    public static EspSuite aead(String linuxName, int keyMaterialBits, int icvBits) {
        Cipher c = Cipher.ofLinuxName(linuxName);
        if (c == null || !c.aead()) {
            throw new CryptoException("aead \"" + linuxName + "\": expected rfc4106(gcm(aes)) or rfc7539esp(chacha20,poly1305)");
        }
        return new EspSuite(c, keyMaterialBits - 8 * SALT_BYTES, Auth.NONE, icvBits);
    }

    /** A cipher and authenticator suite from their Linux names. */
    public static EspSuite encAuth(String encName, int keyBits, String authName, int icvBits) {
        Cipher c = Cipher.ofLinuxName(encName);
        if (c == null || c.aead()) {
            throw new CryptoException("enc \"" + encName + "\": expected cbc(aes)");
        }
        Auth a = Auth.ofLinuxName(authName);
        if (a == null) {
            throw new CryptoException("auth-trunc \"" + authName + "\": expected hmac(sha256), hmac(sha384) or hmac(sha512)");
        }
        return new EspSuite(c, keyBits, a, icvBits);
    }

    /**
     * A suite by the name {@code openssl speed -evp} gives its cipher, as the benchmarks and
     * {@code bench esp} take it: {@code aes-128-gcm}, {@code aes-256-gcm},
     * {@code chacha20-poly1305} (16-byte ICVs) or {@code aes-128-cbc-hmac-sha256} (RFC 4868's
     * 128-bit truncation). Throws CryptoException for another name.
     */
    public static EspSuite named(String name) {
        return switch (name) {
            case "aes-128-gcm" -> aead("rfc4106(gcm(aes))", 160, 128);
            case "aes-256-gcm" -> aead("rfc4106(gcm(aes))", 288, 128);
            case "chacha20-poly1305" -> aead("rfc7539esp(chacha20,poly1305)", 288, 128);
            case "aes-128-cbc-hmac-sha256" -> encAuth("cbc(aes)", 128, "hmac(sha256)", 128);
            default -> throw new CryptoException("suite \"" + name + "\": expected aes-128-gcm, aes-256-gcm, chacha20-poly1305"
                    + " or aes-128-cbc-hmac-sha256");
        };
    }

    /** Bytes of encryption key material, the AEAD salt included. */
    public int encKeyBytes() {
        return keyBits / 8 + (cipher.aead() ? SALT_BYTES : 0);
    }

    /** Bytes of authentication key (0 for an AEAD). RFC 4868 keys are as long as the digest. */
    public int authKeyBytes() {
        return auth.digestBits() / 8;
    }

    public int icvBytes() {
        return icvBits / 8;
    }

    @Override
    public String toString() {
        return cipher.aead()
                ? String.format(Locale.ROOT, "aead %s %d bits icv %d", cipher.linuxName(), keyBits, icvBits)
                : String.format(Locale.ROOT, "enc %s %d bits auth-trunc %s %d", cipher.linuxName(), keyBits, auth.linuxName(), icvBits);
    }
}
