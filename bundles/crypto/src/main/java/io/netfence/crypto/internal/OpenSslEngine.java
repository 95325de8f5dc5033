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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import org.osgi.service.component.annotations.Component;

/**
 * The system's OpenSSL (libcrypto.so.3) through the FFM API: the same assembly OpenSSL uses for
 * itself, called per packet without allocating and without copying the payload (libcrypto reads
 * and writes the packet buffer itself, through critical downcalls with heap access). The cipher
 * is fetched once through EVP ({@code EVP_CIPHER_fetch}, so the configured provider serves it);
 * per packet its provider's own functions are called, as {@code provider-cipher(7)} documents
 * them and as EVP itself calls them, one context per transform and direction, keyed once. That
 * skips what OpenSSL 3.0's EVP wrappers add to every call (the IV length asked of the provider
 * through an {@code OSSL_PARAM} lookup by name on each {@code EVP_CipherInit_ex}, the control
 * translation on each tag): a third of a small packet's cost. The crypto is OpenSSL's, not ours:
 * this class only binds the calls.
 */
@Component(service = CryptoEngine.class, immediate = true, property = CryptoEngine.NAME_PROPERTY + "=" + OpenSslEngine.NAME)
public final class OpenSslEngine implements CryptoEngine {
    static final String NAME = "openssl";
    /** Largest payload a transform takes: a 9000-byte MTU's packet with room to spare. */
    static final int MAX_DATA = 16 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Native NATIVE = Native.load();
    // The per-packet calls as constants of their own: the JIT inlines a downcall only through a
    // static final handle, not through a field of an object (null when libcrypto is missing). The
    // provider's functions differ per cipher, so these take the function's address first.
    private static final MethodHandle CIPHER_INIT = NATIVE.providerInit;
    private static final MethodHandle CIPHER_UPDATE = NATIVE.providerUpdate;
    private static final MethodHandle CIPHER_FINAL = NATIVE.providerFinal;
    private static final MethodHandle CIPHER_PARAMS = NATIVE.providerParams;
    private static final MethodHandle HMAC_INIT = NATIVE.hmacInit;
    private static final MethodHandle HMAC_UPDATE_HEAP = NATIVE.hmacUpdateHeap;
    private static final MethodHandle HMAC_FINAL = NATIVE.hmacFinal;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unsupportedReason(EspSuite suite) {
        if (NATIVE.failure != null) {
            return NATIVE.failure;
        }
        // A provider may lack one cipher (a FIPS configuration has no ChaCha20): that suite alone is out.
        try {
            NATIVE.cipher(suite.cipher(), suite.keyBits(), false);
            if (!suite.cipher().aead()) {
                NATIVE.cipher(EspSuite.Cipher.AES_CBC, 128, true);
            }
            return null;
        } catch (RuntimeException e) {
            return "the system OpenSSL cannot run " + suite + ": " + e.getMessage();
        }
    }

    @Override
    public EspTransform create(EspSuite suite, byte[] encKey, byte[] authKey) {
        Keys.check(suite, encKey, authKey);
        String unsupported = unsupportedReason(suite);
        if (unsupported != null) {
            throw new CryptoException(suite + ": " + unsupported);
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
        Ctx ivCipher = new Ctx(NATIVE.cipher(EspSuite.Cipher.AES_CBC, 128, true), ivKey, 0, true);
        Arrays.fill(ivKey, (byte) 0);
        // AES decrypts with its own key schedule: one context per direction, each keyed once.
        ProviderCipher cbc = NATIVE.cipher(EspSuite.Cipher.AES_CBC, suite.keyBits(), false);
        Cbc both = new Cbc(new Ctx(cbc, encKey, 0, true), new Ctx(cbc, encKey, 0, false));
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
        return new Aead(new Ctx(NATIVE.cipher(suite.cipher(), suite.keyBits(), false), key, suite.icvBytes(), true), suite.icvBytes());
    }

    static Primitives.Mac mac(EspSuite.Auth auth, byte[] key) {
        return new Hmac(auth, key);
    }

    /**
     * One provider cipher context with its key: a 12-byte nonce (the AEADs' default) or no
     * padding (CBC, ECB), and small native buffers of its own (the tag and the parameter that
     * carries it); IV, AAD and payload stay in their Java arrays.
     */
    private static final class Ctx {
        final ProviderCipher cipher;
        final MemorySegment ctx;
        /**
         * Native memory of its own, from malloc rather than an arena: such a segment has no session
         * to acquire and release around every call; {@link #free} gives it back, zeroed.
         */
        final NativeBlock block = new NativeBlock(8 + 64 + 16 + 64 + 2 * Native.PARAM_BYTES + 4 + 2 * Native.PARAM_BYTES + 6 * 16);
        /** size_t out-length the provider functions write. */
        final MemorySegment outLength = block.slice(8);
        /** The final step's output: nothing for GCM, ChaCha20 and unpadded CBC, but it wants a place. */
        final MemorySegment data = block.slice(64);
        final MemorySegment tag = block.slice(16);
        final MemorySegment key = block.slice(64);
        /** {"tag", octet string, tag, ICV length} and the end marker: the AEAD's tag, out or in. */
        final MemorySegment tagParams = block.slice(2 * Native.PARAM_BYTES);
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

        /** {@code tagLength} 0: a block cipher, run without padding. */
        Ctx(ProviderCipher cipher, byte[] key, int tagLength, boolean encrypt) {
            this.cipher = cipher;
            try {
                ctx = (MemorySegment) NATIVE.providerNewCtx.invokeExact(cipher.newCtx(), cipher.providerContext());
            } catch (Throwable t) {
                block.free();
                throw rethrow(t);
            }
            if (ctx.equals(MemorySegment.NULL)) {
                block.free();
                throw new IllegalStateException("the provider made no context for " + cipher.name());
            }
            try {
                MemorySegment.copy(key, 0, this.key, ValueLayout.JAVA_BYTE, 0, key.length);
                MemorySegment init = cipher.init(encrypt); // a local: in invokeExact's arguments a conditional would type as Object
                check((int) CIPHER_INIT.invokeExact(init, ctx, this.key, (long) key.length,
                        MemorySegment.NULL, 0L, MemorySegment.NULL), cipher.name() + " init (key)");
                this.key.fill((byte) 0);
                if (tagLength == 0) {
                    MemorySegment zero = block.slice(4);
                    MemorySegment padding = block.slice(2 * Native.PARAM_BYTES);
                    Native.param(padding, Native.PADDING_KEY, Native.PARAM_UNSIGNED_INTEGER, zero, 4);
                    check((int) CIPHER_PARAMS.invokeExact(cipher.setCtxParams(), ctx, padding), cipher.name() + " padding 0");
                } else {
                    Native.param(tagParams, Native.TAG_KEY, Native.PARAM_OCTET_STRING, tag, tagLength);
                }
            } catch (Throwable t) {
                free(); // the provider's context (and any key in it) and the buffers, zeroed
                throw rethrow(t);
            }
        }

        /**
         * Sets the IV and the direction; the key stays. The IV (and below the AAD) is read where it
         * is, in the Java array, like the payload: no copy into native memory.
         */
        void start(byte[] ivSource, int ivOffset, int ivLength, boolean encrypt) {
            MemorySegment init = cipher.init(encrypt);
            MemorySegment nonce = slices().at(ivSource, ivOffset);
            try {
                check((int) CIPHER_INIT.invokeExact(init, ctx, MemorySegment.NULL, 0L, nonce, (long) ivLength, MemorySegment.NULL),
                        "cipher init (iv)");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        void aad(byte[] source, int length) {
            MemorySegment data = slices().at(source, 0);
            try {
                check((int) CIPHER_UPDATE.invokeExact(cipher.update(), ctx, MemorySegment.NULL, outLength, (long) length, data, (long) length),
                        "cipher update (aad)");
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
                check((int) CIPHER_UPDATE.invokeExact(cipher.update(), ctx, dst, outLength, (long) length, src, (long) length), "cipher update");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** 1 if the final step (the tag check, when decrypting) succeeded; stream modes write nothing here. */
        int finish() {
            try {
                return (int) CIPHER_FINAL.invokeExact(cipher.finish(), ctx, data, outLength, data.byteSize());
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** The tag of what was just sealed, {@code length} bytes (the ICV length this context was made with). */
        void getTag(byte[] b, int off, int length) {
            try {
                check((int) CIPHER_PARAMS.invokeExact(cipher.getCtxParams(), ctx, tagParams), "get tag");
            } catch (Throwable t) {
                throw rethrow(t);
            }
            TagCopy.toArray(tag, b, off, length);
        }

        /** Frees the context (the provider cleanses the key schedule in it) and the buffers, zeroed. */
        private boolean freed;

        synchronized void free() {
            if (freed) {
                return;
            }
            freed = true;
            try {
                NATIVE.providerFreeCtx.invokeExact(cipher.freeCtx(), ctx);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            block.free();
        }

        void setTag(byte[] b, int off, int length) {
            TagCopy.fromArray(b, off, tag, length);
            try {
                check((int) CIPHER_PARAMS.invokeExact(cipher.setCtxParams(), ctx, tagParams), "set tag");
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /**
     * A tag between native memory and the packet, 8 and 4 bytes at a time (ICVs are 8, 12 or 16
     * bytes): per packet, {@code MemorySegment.copy}'s generic array path costs more than the copy.
     */
    private static final class TagCopy {
        private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
        private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

        static void toArray(MemorySegment src, byte[] b, int off, int length) {
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                LONGS.set(b, off + i, src.get(ValueLayout.JAVA_LONG_UNALIGNED, i));
            }
            for (; i + 4 <= length; i += 4) {
                INTS.set(b, off + i, src.get(ValueLayout.JAVA_INT_UNALIGNED, i));
            }
            for (; i < length; i++) {
                b[off + i] = src.get(ValueLayout.JAVA_BYTE, i);
            }
        }

        static void fromArray(byte[] b, int off, MemorySegment dst, int length) {
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                dst.set(ValueLayout.JAVA_LONG_UNALIGNED, i, (long) LONGS.get(b, off + i));
            }
            for (; i + 4 <= length; i += 4) {
                dst.set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) INTS.get(b, off + i));
            }
            for (; i < length; i++) {
                dst.set(ValueLayout.JAVA_BYTE, i, b[off + i]);
            }
        }
    }

    /**
     * One cipher of a provider: its context and the functions of its dispatch table (see
     * {@code provider-cipher(7)}), found once per algorithm.
     */
    private record ProviderCipher(String name, MemorySegment providerContext, MemorySegment newCtx, MemorySegment freeCtx,
            MemorySegment encryptInit, MemorySegment decryptInit, MemorySegment update, MemorySegment finish,
            MemorySegment getCtxParams, MemorySegment setCtxParams) {
        MemorySegment init(boolean encrypt) {
            return encrypt ? encryptInit : decryptInit;
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
        /** sizeof(OSSL_PARAM): key, data_type (padded), data, data_size, return_size. */
        static final long PARAM_BYTES = 40;
        static final int PARAM_UNSIGNED_INTEGER = 2;
        static final int PARAM_OCTET_STRING = 5;
        /** OSSL_OP_CIPHER and the OSSL_FUNC_CIPHER_* ids of core_dispatch.h. */
        static final int OP_CIPHER = 2;
        static final int FUNC_NEWCTX = 1;
        static final int FUNC_ENCRYPT_INIT = 2;
        static final int FUNC_DECRYPT_INIT = 3;
        static final int FUNC_UPDATE = 4;
        static final int FUNC_FINAL = 5;
        static final int FUNC_FREECTX = 7;
        static final int FUNC_GET_CTX_PARAMS = 10;
        static final int FUNC_SET_CTX_PARAMS = 11;
        /** OSSL_CIPHER_PARAM_AEAD_TAG and OSSL_CIPHER_PARAM_PADDING, as C strings that live as long as the class. */
        static final MemorySegment TAG_KEY = Arena.global().allocateFrom("tag");
        static final MemorySegment PADDING_KEY = Arena.global().allocateFrom("padding");

        final String failure;
        MethodHandle hmacFree;
        MethodHandle malloc;
        MethodHandle free;
        MethodHandle cipherFetch;
        MethodHandle cipherProvider;
        MethodHandle providerContext;
        MethodHandle queryOperation;
        MethodHandle unqueryOperation;
        /** (function, provctx) -> ctx */
        MethodHandle providerNewCtx;
        /** (function, ctx) */
        MethodHandle providerFreeCtx;
        /** (function, ctx, key, keylen, iv, ivlen, params) -> int; heap segments allowed */
        MethodHandle providerInit;
        /** (function, ctx, out, outl, outsize, in, inl) -> int; heap segments allowed */
        MethodHandle providerUpdate;
        /** (function, ctx, out, outl, outsize) -> int */
        MethodHandle providerFinal;
        /** (function, ctx, params) -> int: get_ctx_params and set_ctx_params */
        MethodHandle providerParams;
        MethodHandle hmacUpdateHeap;
        MethodHandle hmacNew;
        MethodHandle hmacInit;
        MethodHandle hmacFinal;
        MethodHandle sha256;
        MethodHandle sha384;
        MethodHandle sha512;
        private SymbolLookup lib;
        private Linker linker;
        private final java.util.Map<String, ProviderCipher> ciphers = new java.util.concurrent.ConcurrentHashMap<>();

        private Native(String failure) {
            this.failure = failure;
        }

        static Native load() {
            try {
                Native n = new Native(null);
                n.bind();
                // AES-GCM must be there; other ciphers are found when a suite asks (unsupportedReason).
                n.cipher(EspSuite.Cipher.AES_GCM, 128, false);
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
            ValueLayout size = ValueLayout.JAVA_LONG;
            hmacFree = fn("HMAC_CTX_free", FunctionDescriptor.ofVoid(a), false);
            malloc = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(), FunctionDescriptor.of(a, size));
            free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(a));
            cipherFetch = fn("EVP_CIPHER_fetch", FunctionDescriptor.of(a, a, a, a), false);
            cipherProvider = fn("EVP_CIPHER_get0_provider", FunctionDescriptor.of(a, a), false);
            providerContext = fn("OSSL_PROVIDER_get0_provider_ctx", FunctionDescriptor.of(a, a), false);
            queryOperation = fn("OSSL_PROVIDER_query_operation", FunctionDescriptor.of(a, a, i, a), false);
            unqueryOperation = fn("OSSL_PROVIDER_unquery_operation", FunctionDescriptor.ofVoid(a, i, a), false);
            providerNewCtx = linker.downcallHandle(FunctionDescriptor.of(a, a));
            providerFreeCtx = linker.downcallHandle(FunctionDescriptor.ofVoid(a));
            Linker.Option shortCall = Linker.Option.critical(false);
            providerInit = linker.downcallHandle(FunctionDescriptor.of(i, a, a, size, a, size, a), Linker.Option.critical(true));
            providerUpdate = linker.downcallHandle(FunctionDescriptor.of(i, a, a, a, size, a, size), Linker.Option.critical(true));
            providerFinal = linker.downcallHandle(FunctionDescriptor.of(i, a, a, a, size), shortCall);
            providerParams = linker.downcallHandle(FunctionDescriptor.of(i, a, a), shortCall);
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

        /** Writes {key, type, data, size, return_size unmodified} and the end marker at {@code at}. */
        static void param(MemorySegment at, MemorySegment key, int type, MemorySegment data, long size) {
            at.fill((byte) 0);
            at.set(ValueLayout.ADDRESS, 0, key);
            at.set(ValueLayout.JAVA_INT, 8, type);
            at.set(ValueLayout.ADDRESS, 16, data);
            at.set(ValueLayout.JAVA_LONG, 24, size);
            at.set(ValueLayout.JAVA_LONG, 32, -1L); // OSSL_PARAM_UNMODIFIED
        }

        ProviderCipher cipher(EspSuite.Cipher c, int keyBits, boolean ecb) {
            String name = switch (c) {
                case AES_GCM -> "AES-" + keyBits + "-GCM";
                case CHACHA20_POLY1305 -> "ChaCha20-Poly1305";
                case AES_CBC -> "AES-" + keyBits + (ecb ? "-ECB" : "-CBC");
            };
            return ciphers.computeIfAbsent(name, this::find);
        }

        /**
         * Fetches the cipher through EVP (the configuration decides which provider serves it; the
         * fetched cipher is kept, so that provider stays loaded) and finds its functions in that
         * provider's table of cipher algorithms.
         */
        private ProviderCipher find(String name) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment evp = (MemorySegment) cipherFetch.invokeExact(MemorySegment.NULL, arena.allocateFrom(name), MemorySegment.NULL);
                if (evp.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("no provider offers " + name);
                }
                MemorySegment provider = (MemorySegment) cipherProvider.invokeExact(evp);
                MemorySegment provctx = (MemorySegment) providerContext.invokeExact(provider);
                MemorySegment noCache = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment algorithms = (MemorySegment) queryOperation.invokeExact(provider, OP_CIPHER, noCache);
                if (algorithms.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("the provider of " + name + " lists no ciphers");
                }
                try {
                    // OSSL_ALGORITHM: names ("A:B:OID"), properties, dispatch table, description; 32 bytes each.
                    MemorySegment all = algorithms.reinterpret(Long.MAX_VALUE);
                    for (long at = 0;; at += 32) {
                        MemorySegment names = all.get(ValueLayout.ADDRESS, at);
                        if (names.equals(MemorySegment.NULL)) {
                            throw new IllegalStateException("the provider of " + name + " does not list it");
                        }
                        for (String n : names.reinterpret(Long.MAX_VALUE).getString(0).split(":")) {
                            if (n.equalsIgnoreCase(name)) {
                                return functions(name, provctx, all.get(ValueLayout.ADDRESS, at + 16));
                            }
                        }
                    }
                } finally {
                    unqueryOperation.invokeExact(provider, OP_CIPHER, algorithms);
                }
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** Reads an OSSL_DISPATCH table ({int id; void (*fn)(void);}, 16 bytes each, id 0 ends it). */
        private static ProviderCipher functions(String name, MemorySegment provctx, MemorySegment dispatch) {
            MemorySegment table = dispatch.reinterpret(Long.MAX_VALUE);
            MemorySegment[] fns = new MemorySegment[12];
            for (long at = 0;; at += 16) {
                int id = table.get(ValueLayout.JAVA_INT, at);
                if (id == 0) {
                    break;
                }
                if (id < fns.length) {
                    fns[id] = table.get(ValueLayout.ADDRESS, at + 8);
                }
            }
            int[] needed = {FUNC_NEWCTX, FUNC_FREECTX, FUNC_ENCRYPT_INIT, FUNC_DECRYPT_INIT, FUNC_UPDATE, FUNC_FINAL, FUNC_GET_CTX_PARAMS,
                FUNC_SET_CTX_PARAMS};
            for (int id : needed) {
                if (fns[id] == null || fns[id].equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("the provider's " + name + " lacks cipher function " + id);
                }
            }
            return new ProviderCipher(name, provctx, fns[FUNC_NEWCTX], fns[FUNC_FREECTX], fns[FUNC_ENCRYPT_INIT], fns[FUNC_DECRYPT_INIT],
                    fns[FUNC_UPDATE], fns[FUNC_FINAL], fns[FUNC_GET_CTX_PARAMS], fns[FUNC_SET_CTX_PARAMS]);
        }
    }
}
