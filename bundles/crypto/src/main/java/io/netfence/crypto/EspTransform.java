package io.netfence.crypto;

/**
 * Seals and opens ESP packets of one SA, in place, on one thread (an instance is not thread-safe:
 * each worker gets its own from {@link CryptoEngine#create}). The packet layout is RFC 4303's:
 *
 * <pre>
 * espOffset: SPI (4) | sequence number, low 32 bits (4) | IV (ivBytes) | payload ... | ICV (icvBytes)
 * </pre>
 *
 * The payload ({@code textOffset}, {@code textLength}) is what gets encrypted: the inner packet,
 * padding, pad length and next header, already padded to {@link EspSuite.Cipher#blockBytes()}.
 * With ESN ({@code esn} true) the high 32 bits of the sequence number take part in the integrity
 * check as RFC 4106 section 5, RFC 7634 section 2 and RFC 4303 section 2.2.1 say, without being sent.
 */
public interface EspTransform {
    EspSuite suite();

    /** The engine that made this transform ({@link CryptoEngine#name()}). */
    String engine();

    /**
     * Writes the packet's IV at {@code ivOffset} for the packet with this 64-bit sequence number:
     * for the AEADs the sequence number itself (unique per key, RFC 4106 section 3.1); for CBC an
     * unpredictable block (RFC 3602 section 2.3).
     */
    void writeIv(byte[] packet, int ivOffset, long sequence);

    /**
     * Encrypts {@code packet[textOffset, textOffset + textLength)} in place and writes the ICV right
     * after it. The SPI, sequence number and IV must already be in place.
     */
    void seal(byte[] packet, int espOffset, int textOffset, int textLength, int sequenceHigh, boolean esn);

    /**
     * Verifies the ICV that follows {@code packet[textOffset, textOffset + textLength)} and, if it
     * is right, decrypts that range in place. Returns false, changing nothing the caller relies on,
     * when the ICV does not verify.
     */
    boolean open(byte[] packet, int espOffset, int textOffset, int textLength, int sequenceHigh, boolean esn);

    /** Overwrites the key material this transform holds; it must not be used afterwards. */
    void destroy();
}
