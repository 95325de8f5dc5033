package io.netfence.crypto.internal;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.CryptoException;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.security.SecureRandom;
import java.util.Arrays;
import org.osgi.service.component.annotations.Component;

/**
 * The system's OpenSSL (libcrypto.so.3) through the FFM API: the same assembly OpenSSL uses for
 * itself, called per packet without copying (the packet's heap array is handed to OpenSSL for the
 * duration of the call) and without allocating. One EVP context per transform, keyed once; per
 * packet only the IV is set. The crypto is OpenSSL's, not ours: this class only binds the calls.
 */
@Component(service = CryptoEngine.class, immediate = true, property = CryptoEngine.NAME_PROPERTY + "=" + OpenSslEngine.NAME)
public final class OpenSslEngine implements CryptoEngine {
    static final String NAME = "openssl";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Native NATIVE = Native.load();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unsupportedReason(EspSuite suite) {
        return NATIVE.failure;
    }

    @Override
    public EspTransform create(EspSuite suite, byte[] encKey, byte[] authKey) {
        Keys.check(suite, encKey, authKey);
        if (NATIVE.failure != null) {
            throw new CryptoException(suite + ": " + NATIVE.failure);
        }
        if (suite.cipher().aead()) {
            byte[] key = Arrays.copyOf(encKey, suite.keyBits() / 8);
            byte[] salt = Arrays.copyOfRange(encKey, key.length, key.length + EspSuite.SALT_BYTES);
            Primitives.Aead aead = aead(suite, key);
            Arrays.fill(key, (byte) 0);
            return new AeadEsp(NAME, suite, aead, salt);
        }
        byte[] ivKey = new byte[16];
        RANDOM.nextBytes(ivKey);
        Ctx ivCipher = new Ctx(NATIVE.cipher(EspSuite.Cipher.AES_CBC, 128, true), ivKey, true, true);
        Arrays.fill(ivKey, (byte) 0);
        // AES decrypts with its own key schedule: one context per direction, each keyed once.
        MemorySegment cbc = NATIVE.cipher(EspSuite.Cipher.AES_CBC, suite.keyBits(), false);
        Cbc both = new Cbc(new Ctx(cbc, encKey, true, true), new Ctx(cbc, encKey, true, false));
        Primitives.Block block = (in, inOff, out, outOff) -> ivCipher.update(out, outOff, in, inOff, 16);
        return new CbcHmacEsp(NAME, suite, both, mac(suite.auth(), authKey), block);
    }

    static Primitives.Aead aead(EspSuite suite, byte[] key) {
        // GCM and ChaCha20 use the forward cipher both ways: one context serves both directions.
        return new Aead(new Ctx(NATIVE.cipher(suite.cipher(), suite.keyBits(), false), key, false, true), suite.icvBytes());
    }

    static Primitives.Mac mac(EspSuite.Auth auth, byte[] key) {
        return new Hmac(auth, key);
    }

    /** One EVP_CIPHER_CTX with its key, set up for a 12-byte nonce (AEADs) or without padding (CBC, ECB). */
    private static final class Ctx {
        final MemorySegment ctx;
        final Arena arena = Arena.ofShared();
        final MemorySegment outLength = arena.allocate(ValueLayout.JAVA_INT);

        Ctx(MemorySegment cipher, byte[] key, boolean noPadding, boolean encrypt) {
            int enc = encrypt ? 1 : 0;
            try {
                ctx = (MemorySegment) NATIVE.ctxNew.invokeExact();
                check((int) NATIVE.cipherInit.invokeExact(ctx, cipher, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, enc),
                        "EVP_CipherInit_ex");
                if (noPadding) {
                    check((int) NATIVE.setPadding.invokeExact(ctx, 0), "EVP_CIPHER_CTX_set_padding");
                } else {
                    check((int) NATIVE.ctrl.invokeExact(ctx, Native.SET_IVLEN, 12, MemorySegment.NULL), "EVP_CTRL_AEAD_SET_IVLEN");
                }
                check((int) NATIVE.cipherInit.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.ofArray(key),
                        MemorySegment.NULL, enc), "EVP_CipherInit_ex (key)");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** Sets the IV and the direction; the key stays. */
        void start(byte[] iv, int ivOffset, int ivLength, boolean encrypt) {
            try {
                check((int) NATIVE.cipherInit.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL,
                        MemorySegment.ofArray(iv).asSlice(ivOffset, ivLength), encrypt ? 1 : 0), "EVP_CipherInit_ex (iv)");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void aad(byte[] aad, int length) {
            try {
                check((int) NATIVE.update.invokeExact(ctx, MemorySegment.NULL, outLength, MemorySegment.ofArray(aad).asSlice(0, length), length),
                        "EVP_CipherUpdate (aad)");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** In or out of place: {@code out} may equal {@code in}. */
        void update(byte[] out, int outOff, byte[] in, int inOff, int length) {
            try {
                check((int) NATIVE.update.invokeExact(ctx, MemorySegment.ofArray(out).asSlice(outOff, length), outLength,
                        MemorySegment.ofArray(in).asSlice(inOff, length), length), "EVP_CipherUpdate");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** 1 if the final step (the tag check, when decrypting) succeeded. */
        int finish(byte[] b, int off) {
            try {
                return (int) NATIVE.cipherFinal.invokeExact(ctx, MemorySegment.ofArray(b).asSlice(off), outLength);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void tag(int command, byte[] b, int off, int length) {
            try {
                check((int) NATIVE.ctrl.invokeExact(ctx, command, length, MemorySegment.ofArray(b).asSlice(off, length)), "EVP_CTRL_AEAD tag");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    private record Aead(Ctx ctx, int tagLength) implements Primitives.Aead {
        @Override
        public void seal(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            ctx.start(nonce, 0, 12, true);
            ctx.aad(aad, aadLength);
            ctx.update(b, off, b, off, len);
            if (ctx.finish(b, off + len) != 1) {
                throw new IllegalStateException("EVP_CipherFinal_ex failed while encrypting");
            }
            ctx.tag(Native.GET_TAG, b, off + len, tagLength);
        }

        @Override
        public boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            ctx.start(nonce, 0, 12, false);
            ctx.tag(Native.SET_TAG, b, off + len, tagLength);
            ctx.aad(aad, aadLength);
            ctx.update(b, off, b, off, len);
            return ctx.finish(b, off + len) == 1;
        }
    }

    private record Cbc(Ctx encryptor, Ctx decryptor) implements Primitives.Cbc {
        @Override
        public void encrypt(byte[] iv, int ivOffset, byte[] b, int off, int len) {
            run(true, iv, ivOffset, b, off, len);
        }

        @Override
        public void decrypt(byte[] iv, int ivOffset, byte[] b, int off, int len) {
            run(false, iv, ivOffset, b, off, len);
        }

        private void run(boolean encrypt, byte[] iv, int ivOffset, byte[] b, int off, int len) {
            if (len % 16 != 0) {
                throw new IllegalStateException("AES-CBC payload of " + len + " bytes is not a multiple of 16");
            }
            Ctx ctx = encrypt ? encryptor : decryptor;
            ctx.start(iv, ivOffset, 16, encrypt);
            ctx.update(b, off, b, off, len);
        }
    }

    /** HMAC through the HMAC_CTX API (deprecated in OpenSSL 3 but kept, and the simplest to bind). */
    private static final class Hmac implements Primitives.Mac {
        private final MemorySegment ctx;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);

        Hmac(EspSuite.Auth auth, byte[] key) {
            try {
                ctx = (MemorySegment) NATIVE.hmacNew.invokeExact();
                MemorySegment md = switch (auth) {
                    case HMAC_SHA256 -> (MemorySegment) NATIVE.sha256.invokeExact();
                    case HMAC_SHA384 -> (MemorySegment) NATIVE.sha384.invokeExact();
                    case HMAC_SHA512 -> (MemorySegment) NATIVE.sha512.invokeExact();
                    case NONE -> throw new IllegalArgumentException("no authenticator");
                };
                check((int) NATIVE.hmacInit.invokeExact(ctx, MemorySegment.ofArray(key), key.length, md, MemorySegment.NULL), "HMAC_Init_ex");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        @Override
        public void update(byte[] b, int off, int len) {
            try {
                check((int) NATIVE.hmacUpdate.invokeExact(ctx, MemorySegment.ofArray(b).asSlice(off, len), (long) len), "HMAC_Update");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        @Override
        public void doFinal(byte[] out, int off) {
            try {
                check((int) NATIVE.hmacFinal.invokeExact(ctx, MemorySegment.ofArray(out).asSlice(off), length), "HMAC_Final");
                // Same key, next message: NULL key and digest keep them.
                check((int) NATIVE.hmacInit.invokeExact(ctx, MemorySegment.NULL, 0, MemorySegment.NULL, MemorySegment.NULL), "HMAC_Init_ex");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    private static void check(int result, String call) {
        if (result != 1) {
            throw new IllegalStateException(call + " failed in libcrypto");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** The bound libcrypto functions, or the reason they are not there. */
    private static final class Native {
        static final int SET_IVLEN = 0x9;
        static final int GET_TAG = 0x10;
        static final int SET_TAG = 0x11;

        final String failure;
        MethodHandle ctxNew;
        MethodHandle cipherInit;
        MethodHandle ctrl;
        MethodHandle update;
        MethodHandle cipherFinal;
        MethodHandle setPadding;
        MethodHandle hmacNew;
        MethodHandle hmacInit;
        MethodHandle hmacUpdate;
        MethodHandle hmacFinal;
        MethodHandle sha256;
        MethodHandle sha384;
        MethodHandle sha512;
        private SymbolLookup lib;
        private Linker linker;

        private Native(String failure) {
            this.failure = failure;
        }

        static Native load() {
            try {
                Native n = new Native(null);
                n.bind();
                return n;
            } catch (Throwable t) {
                return new Native("the system OpenSSL (libcrypto.so.3) cannot be used: " + t);
            }
        }

        private void bind() {
            linker = Linker.nativeLinker();
            lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
            ValueLayout a = ValueLayout.ADDRESS;
            ValueLayout i = ValueLayout.JAVA_INT;
            ctxNew = fn("EVP_CIPHER_CTX_new", FunctionDescriptor.of(a), false);
            cipherInit = fn("EVP_CipherInit_ex", FunctionDescriptor.of(i, a, a, a, a, a, i), true);
            ctrl = fn("EVP_CIPHER_CTX_ctrl", FunctionDescriptor.of(i, a, i, i, a), true);
            update = fn("EVP_CipherUpdate", FunctionDescriptor.of(i, a, a, a, a, i), true);
            cipherFinal = fn("EVP_CipherFinal_ex", FunctionDescriptor.of(i, a, a, a), true);
            setPadding = fn("EVP_CIPHER_CTX_set_padding", FunctionDescriptor.of(i, a, i), false);
            hmacNew = fn("HMAC_CTX_new", FunctionDescriptor.of(a), false);
            hmacInit = fn("HMAC_Init_ex", FunctionDescriptor.of(i, a, a, i, a, a), true);
            hmacUpdate = fn("HMAC_Update", FunctionDescriptor.of(i, a, a, ValueLayout.JAVA_LONG), true);
            hmacFinal = fn("HMAC_Final", FunctionDescriptor.of(i, a, a, a), true);
            sha256 = fn("EVP_sha256", FunctionDescriptor.of(a), false);
            sha384 = fn("EVP_sha384", FunctionDescriptor.of(a), false);
            sha512 = fn("EVP_sha512", FunctionDescriptor.of(a), false);
        }

        /** {@code heap}: the call may be given Java arrays (a critical call: short, no upcalls). */
        private MethodHandle fn(String name, FunctionDescriptor d, boolean heap) {
            MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name));
            return heap ? linker.downcallHandle(symbol, d, Linker.Option.critical(true)) : linker.downcallHandle(symbol, d);
        }

        MemorySegment cipher(EspSuite.Cipher c, int keyBits, boolean ecb) {
            String name = switch (c) {
                case AES_GCM -> "EVP_aes_" + keyBits + "_gcm";
                case CHACHA20_POLY1305 -> "EVP_chacha20_poly1305";
                case AES_CBC -> "EVP_aes_" + keyBits + (ecb ? "_ecb" : "_cbc");
            };
            try {
                return (MemorySegment) fn(name, FunctionDescriptor.of(ValueLayout.ADDRESS), false).invokeExact();
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }
}
