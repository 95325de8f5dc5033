package io.netfence.crypto;

/**
 * A source of {@link EspTransform}s, registered as an OSGi service with the property
 * {@value #NAME_PROPERTY}. Engines differ in speed, not in results: for the same suite, key and
 * packet every engine must produce the same bytes.
 */
public interface CryptoEngine {
    String NAME_PROPERTY = "netfence.crypto.engine";

    /** Short name: "jce", "bc". */
    String name();

    /** Whether this engine can run the suite here; if not, why not (null when it can). */
    String unsupportedReason(EspSuite suite);

    /**
     * A transform for one SA. {@code encKey} is the encryption key material (for an AEAD, the key
     * followed by the 4-byte salt), {@code authKey} the authentication key (empty for an AEAD).
     * The arrays are copied; the caller may wipe its own.
     */
    EspTransform create(EspSuite suite, byte[] encKey, byte[] authKey);
}
