package io.netfence.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.CryptoEngine;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keys are wiped when an SA goes: after {@link EspTransform#destroy()} no byte array reachable
 * from the transform still holds the encryption or the authentication key. The walk reaches what
 * reflection may open (this bundle's objects and Bouncy Castle's); the JDK's provider internals
 * and OpenSSL's memory are closed to it (OpenSSL cleanses its context when it is freed). The same
 * walk before destroy must find the keys, or it proves nothing.
 */
class KeyWipeTest {
    static Stream<Object[]> cases() {
        CryptoEngine[] engines = {new JceEngine(), new BcEngine()};
        EspSuite[] suites = {
            EspSuite.aead("rfc4106(gcm(aes))", 160, 128),
            EspSuite.aead("rfc7539esp(chacha20,poly1305)", 288, 128),
            EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128),
            EspSuite.encAuth("cbc(aes)", 256, "hmac(sha512)", 256),
        };
        return Stream.of(engines).flatMap(e -> Stream.of(suites).map(s -> new Object[] {e, s}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void noKeyBytesAreReachableAfterDestroy(CryptoEngine engine, EspSuite suite) {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] enc = new byte[suite.encKeyBytes()];
        byte[] auth = new byte[suite.authKeyBytes()];
        rnd.nextBytes(enc);
        rnd.nextBytes(auth);
        // The cipher key without the 4-byte salt (the salt is a nonce part, not a key).
        int keyBytes = suite.keyBits() / 8;
        byte[] cipherKey = java.util.Arrays.copyOf(enc, keyBytes);
        EspTransform t = engine.create(suite, enc, auth.length == 0 ? null : auth);
        assertTrue(reachable(t, cipherKey), "the walk finds the cipher key before destroy");
        if (auth.length > 0) {
            assertTrue(reachable(t, auth), "the walk finds the authentication key before destroy");
        }
        t.destroy();
        assertFalse(reachable(t, cipherKey), "cipher key bytes left after destroy");
        if (auth.length > 0) {
            assertFalse(reachable(t, auth), "authentication key bytes left after destroy");
        }
    }

    /** True if some byte[] reachable from {@code root} through fields reflection can open contains {@code key}. */
    private static boolean reachable(Object root, byte[] key) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            Object o = todo.poll();
            if (o == null || !seen.add(o)) {
                continue;
            }
            Class<?> c = o.getClass();
            if (c == byte[].class) {
                if (contains((byte[]) o, key)) {
                    return true;
                }
                continue;
            }
            if (c.isArray()) {
                if (!c.getComponentType().isPrimitive()) {
                    for (int i = 0; i < Array.getLength(o); i++) {
                        todo.add(Array.get(o, i));
                    }
                }
                continue;
            }
            if (c.getName().startsWith("java.lang.") && c != Object.class) {
                continue;
            }
            for (Class<?> k = c; k != null; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        todo.add(f.get(o));
                    } catch (RuntimeException | IllegalAccessException e) {
                        // A module that does not open itself (the JDK's provider): out of reach.
                    }
                }
            }
        }
        return false;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
