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
 * itself, called per packet without allocating and without copying the payload (libcrypto reads
 * and writes the packet buffer itself, through critical downcalls with heap access). One EVP
 * context per transform and direction, keyed once; per packet only the IV is set. The crypto is
 * OpenSSL's, not ours: this class only binds the calls.
 */
@Component(service = CryptoEngine.class, immediate = true, property = CryptoEngine.NAME_PROPERTY + "=" + OpenSslEngine.NAME)
public final class OpenSslEngine implements CryptoEngine {
    static final String NAME = "openssl";
    /** Largest payload a transform takes: a 9000-byte MTU's packet with room to spare. */
    static final int MAX_DATA = 16 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Native NATIVE = Native.load();
    // The per-packet calls as constants of their own: the JIT inlines a downcall only through a
    // static final handle, not through a field of an object (null when libcrypto is missing).
    private static final MethodHandle CIPHER_INIT = NATIVE.cipherInit;
    private static final MethodHandle CTRL = NATIVE.ctrl;
    private static final MethodHandle UPDATE = NATIVE.update;
    private static final MethodHandle UPDATE_HEAP = NATIVE.updateHeap;
    private static final MethodHandle CIPHER_FINAL = NATIVE.cipherFinal;
    private static final MethodHandle HMAC_INIT = NATIVE.hmacInit;
    private static final MethodHandle HMAC_UPDATE_HEAP = NATIVE.hmacUpdateHeap;
    private static final MethodHandle HMAC_FINAL = NATIVE.hmacFinal;

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
        Primitives.Block block = new Primitives.Block() {
            @Override
            public void encrypt(byte[] in, int inOff, byte[] out, int outOff) {
                ivCipher.update(out, outOff, in, inOff, 16);
            }

            @Override
            public void close() {
                ivCipher.free();
            }
        };
        return new CbcHmacEsp(NAME, suite, both, mac(suite.auth(), authKey), block);
    }

    static Primitives.Aead aead(EspSuite suite, byte[] key) {
        // GCM and ChaCha20 use the forward cipher both ways: one context serves both directions.
        return new Aead(new Ctx(NATIVE.cipher(suite.cipher(), suite.keyBits(), false), key, false, true), suite.icvBytes());
    }

    static Primitives.Mac mac(EspSuite.Auth auth, byte[] key) {
        return new Hmac(auth, key);
    }

    /**
     * One EVP_CIPHER_CTX with its key, set up for a 12-byte nonce (AEADs) or without padding (CBC,
     * ECB), with small native buffers of its own (IV, AAD, tag); the payload stays in the packet.
     */
    private static final class Ctx {
        final MemorySegment ctx;
        /**
         * Native memory of its own, from malloc rather than an arena: such a segment has no session
         * to acquire and release around every call; {@link #free} gives it back, zeroed.
         */
        final NativeBlock block = new NativeBlock(4 + 64 + 16 + 64 + 16 + 64 + 6 * 16);
        final MemorySegment outLength = block.slice(4);
        /** EVP_CipherFinal_ex's output: nothing for GCM, ChaCha20 and unpadded CBC, but it wants a place. */
        final MemorySegment data = block.slice(64);
        final MemorySegment iv = block.slice(16);
        final MemorySegment aad = block.slice(64);
        final MemorySegment tag = block.slice(16);
        final MemorySegment key = block.slice(64);
        /** The heap-segment cache of the thread using this context now (one at a time), without a ThreadLocal lookup per call. */
        private HeapSlices slices;
        private Thread slicesOwner;

        HeapSlices slices() {
            Thread t = Thread.currentThread();
            if (t != slicesOwner) {
                slices = HeapSlices.PER_THREAD.get();
                slicesOwner = t;
            }
            return slices;
        }

        Ctx(MemorySegment cipher, byte[] key, boolean noPadding, boolean encrypt) {
            int enc = encrypt ? 1 : 0;
            try {
                ctx = (MemorySegment) NATIVE.ctxNew.invokeExact();
                check((int) CIPHER_INIT.invokeExact(ctx, cipher, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, enc),
                        "EVP_CipherInit_ex");
                if (noPadding) {
                    check((int) NATIVE.setPadding.invokeExact(ctx, 0), "EVP_CIPHER_CTX_set_padding");
                } else {
                    check((int) CTRL.invokeExact(ctx, Native.SET_IVLEN, 12, MemorySegment.NULL), "EVP_CTRL_AEAD_SET_IVLEN");
                }
                MemorySegment.copy(key, 0, this.key, ValueLayout.JAVA_BYTE, 0, key.length);
                check((int) CIPHER_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, this.key, MemorySegment.NULL, enc),
                        "EVP_CipherInit_ex (key)");
                this.key.fill((byte) 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** Sets the IV and the direction; the key stays. */
        void start(byte[] ivSource, int ivOffset, int ivLength, boolean encrypt) {
            MemorySegment.copy(ivSource, ivOffset, iv, ValueLayout.JAVA_BYTE, 0, ivLength);
            try {
                check((int) CIPHER_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, iv,
                        encrypt ? 1 : 0), "EVP_CipherInit_ex (iv)");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void aad(byte[] source, int length) {
            MemorySegment.copy(source, 0, aad, ValueLayout.JAVA_BYTE, 0, length);
            try {
                check((int) UPDATE.invokeExact(ctx, MemorySegment.NULL, outLength, aad, length), "EVP_CipherUpdate (aad)");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /**
         * Processes {@code in[inOff, inOff + length)} into {@code out[outOff...]}; they may be the
         * same bytes. The Java arrays go to libcrypto as they are (a critical call with heap access:
         * the GC waits for it, microseconds), through heap segments kept per (array, offset): the
         * dataplane reuses its packet buffers, so after the first batches nothing is made per call
         * and nothing is copied.
         */
        void update(byte[] out, int outOff, byte[] in, int inOff, int length) {
            if (length > MAX_DATA) {
                throw new IllegalStateException("ESP payload of " + length + " bytes exceeds " + MAX_DATA);
            }
            HeapSlices slices = slices();
            MemorySegment src = slices.at(in, inOff);
            MemorySegment dst = out == in && outOff == inOff ? src : slices.at(out, outOff);
            try {
                check((int) UPDATE_HEAP.invokeExact(ctx, dst, outLength, src, length), "EVP_CipherUpdate");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** 1 if the final step (the tag check, when decrypting) succeeded; stream modes write nothing here. */
        int finish() {
            try {
                return (int) CIPHER_FINAL.invokeExact(ctx, data, outLength);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void getTag(byte[] b, int off, int length) {
            try {
                check((int) CTRL.invokeExact(ctx, Native.GET_TAG, length, tag), "EVP_CTRL_AEAD_GET_TAG");
            } catch (Throwable t) {
                throw rethrow(t);
            }
            MemorySegment.copy(tag, ValueLayout.JAVA_BYTE, 0, b, off, length);
        }

        /** Frees the context (OpenSSL cleanses the key schedule in it) and the buffers, zeroed. */
        private boolean freed;

        synchronized void free() {
            if (freed) {
                return;
            }
            freed = true;
            try {
                NATIVE.ctxFree.invokeExact(ctx);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            block.free();
        }

        void setTag(byte[] b, int off, int length) {
            MemorySegment.copy(b, off, tag, ValueLayout.JAVA_BYTE, 0, length);
            try {
                check((int) CTRL.invokeExact(ctx, Native.SET_TAG, length, tag), "EVP_CTRL_AEAD_SET_TAG");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    private record Aead(Ctx ctx, int tagLength) implements Primitives.Aead {
        @Override
        public void close() {
            ctx.free();
        }

        @Override
        public void seal(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            ctx.start(nonce, 0, 12, true);
            ctx.aad(aad, aadLength);
            ctx.update(b, off, b, off, len);
            if (ctx.finish() != 1) {
                throw new IllegalStateException("EVP_CipherFinal_ex failed while encrypting");
            }
            ctx.getTag(b, off + len, tagLength);
        }

        @Override
        public boolean open(byte[] nonce, byte[] aad, int aadLength, byte[] b, int off, int len) {
            ctx.start(nonce, 0, 12, false);
            ctx.setTag(b, off + len, tagLength);
            ctx.aad(aad, aadLength);
            ctx.update(b, off, b, off, len);
            return ctx.finish() == 1;
        }
    }

    private record Cbc(Ctx encryptor, Ctx decryptor) implements Primitives.Cbc {
        @Override
        public void close() {
            encryptor.free();
            decryptor.free();
        }

        @Override
        public void crypt(boolean encrypt, byte[] iv, int ivOffset, byte[] b, int off, int len) {
            Ctx ctx = encrypt ? encryptor : decryptor;
            ctx.start(iv, ivOffset, 16, encrypt);
            ctx.update(b, off, b, off, len);
        }
    }

    /** HMAC through the HMAC_CTX API (deprecated in OpenSSL 3 but kept, and the simplest to bind). */
    private static final class Hmac implements Primitives.Mac {
        private final MemorySegment ctx;
        private final NativeBlock block = new NativeBlock(4 + 64 + 128 + 4 * 16);
        private final MemorySegment length = block.slice(4);
        private final MemorySegment digest = block.slice(64);
        private final MemorySegment keyBuffer = block.slice(128);

        Hmac(EspSuite.Auth auth, byte[] key) {
            try {
                ctx = (MemorySegment) NATIVE.hmacNew.invokeExact();
                MemorySegment md = switch (auth) {
                    case HMAC_SHA256 -> (MemorySegment) NATIVE.sha256.invokeExact();
                    case HMAC_SHA384 -> (MemorySegment) NATIVE.sha384.invokeExact();
                    case HMAC_SHA512 -> (MemorySegment) NATIVE.sha512.invokeExact();
                    case NONE -> throw new IllegalArgumentException("no authenticator");
                };
                if (key.length > keyBuffer.byteSize()) {
                    throw new CryptoException("HMAC key of " + key.length + " bytes: expected at most " + keyBuffer.byteSize());
                }
                MemorySegment.copy(key, 0, keyBuffer, ValueLayout.JAVA_BYTE, 0, key.length);
                check((int) HMAC_INIT.invokeExact(ctx, keyBuffer, key.length, md, MemorySegment.NULL), "HMAC_Init_ex");
                keyBuffer.fill((byte) 0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        @Override
        public void update(byte[] b, int off, int len) {
            try {
                // The packet itself, as for the cipher: a cached heap segment, no copy.
                check((int) HMAC_UPDATE_HEAP.invokeExact(ctx, HeapSlices.of(b, off), (long) len), "HMAC_Update");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** HMAC_CTX_free cleanses the keyed state; the buffers are zeroed and freed. */
        private boolean freed;

        @Override
        public synchronized void close() {
            if (freed) {
                return;
            }
            freed = true;
            try {
                NATIVE.hmacFree.invokeExact(ctx);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            block.free();
        }

        @Override
        public void doFinal(byte[] out, int off) {
            try {
                check((int) HMAC_FINAL.invokeExact(ctx, digest, length), "HMAC_Final");
                // Same key, next message: NULL key and digest keep them.
                check((int) HMAC_INIT.invokeExact(ctx, MemorySegment.NULL, 0, MemorySegment.NULL, MemorySegment.NULL), "HMAC_Init_ex");
            } catch (Throwable t) {
                throw rethrow(t);
            }
            int n = length.get(ValueLayout.JAVA_INT, 0);
            MemorySegment.copy(digest, ValueLayout.JAVA_BYTE, 0, out, off, n);
        }
    }

    /**
     * Heap segments over {@code array[offset...]}, cached by (array, offset) so that a packet
     * buffer seen again costs a lookup, not an allocation. One cache per thread, shared by every
     * context that thread drives (a worker's SAs all see the same packet buffers): a cache per
     * context would cost memory per SA and miss once per buffer per SA. Two-way set associative,
     * large enough for the buffers a worker cycles through (receive batches, transmit slots and the
     * neighbour pool) without evicting each other.
     */
    private static final class HeapSlices {
        private static final int SETS = 4096;
        private static final ThreadLocal<HeapSlices> PER_THREAD = ThreadLocal.withInitial(HeapSlices::new);
        private final byte[][] arrays = new byte[2 * SETS][];
        private final int[] offsets = new int[2 * SETS];
        private final MemorySegment[] slices = new MemorySegment[2 * SETS];
        /** Per set, the way to replace next: the one not hit last. */
        private final byte[] victim = new byte[SETS];

        static MemorySegment of(byte[] array, int offset) {
            return PER_THREAD.get().at(array, offset);
        }

        MemorySegment at(byte[] array, int offset) {
            int set = ((System.identityHashCode(array) + offset * 0x9E3779B9) * 0x85EBCA6B) >>> 20;
            int w = set << 1;
            if (arrays[w] == array && offsets[w] == offset) {
                victim[set] = 1;
                return slices[w];
            }
            if (arrays[w + 1] == array && offsets[w + 1] == offset) {
                victim[set] = 0;
                return slices[w + 1];
            }
            int v = w + victim[set];
            victim[set] ^= 1;
            MemorySegment s = MemorySegment.ofArray(array).asSlice(offset);
            arrays[v] = array;
            offsets[v] = offset;
            slices[v] = s;
            return s;
        }
    }

    /** One malloc'ed region carved into slices; zeroed and freed once. */
    private static final class NativeBlock {
        private final MemorySegment memory;
        private long used;
        private boolean freed;

        NativeBlock(long size) {
            try {
                MemorySegment p = (MemorySegment) NATIVE.malloc.invokeExact(size);
                if (p.equals(MemorySegment.NULL)) {
                    throw new OutOfMemoryError("malloc(" + size + ") for an OpenSSL transform");
                }
                memory = p.reinterpret(size);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            memory.fill((byte) 0);
        }

        MemorySegment slice(long size) {
            long at = (used + 15) & ~15L;
            used = at + size;
            return memory.asSlice(at, size);
        }

        synchronized void free() {
            if (freed) {
                return;
            }
            freed = true;
            memory.fill((byte) 0);
            try {
                NATIVE.free.invokeExact(memory);
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
        MethodHandle ctxFree;
        MethodHandle hmacFree;
        MethodHandle malloc;
        MethodHandle free;
        MethodHandle cipherInit;
        MethodHandle ctrl;
        MethodHandle update;
        MethodHandle updateHeap;
        MethodHandle hmacUpdateHeap;
        MethodHandle cipherFinal;
        MethodHandle setPadding;
        MethodHandle hmacNew;
        MethodHandle hmacInit;
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
            ctxFree = fn("EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(a), false);
            hmacFree = fn("HMAC_CTX_free", FunctionDescriptor.ofVoid(a), false);
            malloc = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(), FunctionDescriptor.of(a, ValueLayout.JAVA_LONG));
            free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(a));
            cipherInit = fn("EVP_CipherInit_ex", FunctionDescriptor.of(i, a, a, a, a, a, i), true);
            ctrl = fn("EVP_CIPHER_CTX_ctrl", FunctionDescriptor.of(i, a, i, i, a), true);
            update = fn("EVP_CipherUpdate", FunctionDescriptor.of(i, a, a, a, a, i), true);
            updateHeap = linker.downcallHandle(lib.find("EVP_CipherUpdate").orElseThrow(), FunctionDescriptor.of(i, a, a, a, a, i),
                    Linker.Option.critical(true));
            cipherFinal = fn("EVP_CipherFinal_ex", FunctionDescriptor.of(i, a, a, a), true);
            setPadding = fn("EVP_CIPHER_CTX_set_padding", FunctionDescriptor.of(i, a, i), false);
            hmacNew = fn("HMAC_CTX_new", FunctionDescriptor.of(a), false);
            hmacInit = fn("HMAC_Init_ex", FunctionDescriptor.of(i, a, a, i, a, a), true);
            hmacUpdateHeap = linker.downcallHandle(lib.find("HMAC_Update").orElseThrow(),
                    FunctionDescriptor.of(i, a, a, ValueLayout.JAVA_LONG), Linker.Option.critical(true));
            hmacFinal = fn("HMAC_Final", FunctionDescriptor.of(i, a, a, a), true);
            sha256 = fn("EVP_sha256", FunctionDescriptor.of(a), false);
            sha384 = fn("EVP_sha384", FunctionDescriptor.of(a), false);
            sha512 = fn("EVP_sha512", FunctionDescriptor.of(a), false);
        }

        /** {@code critical}: short calls that never call back into Java, so the JVM may skip the thread-state change. */
        private MethodHandle fn(String name, FunctionDescriptor d, boolean critical) {
            MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name));
            return critical ? linker.downcallHandle(symbol, d, Linker.Option.critical(false)) : linker.downcallHandle(symbol, d);
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
