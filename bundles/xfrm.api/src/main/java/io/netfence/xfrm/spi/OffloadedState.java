package io.netfence.xfrm.spi;

import io.netfence.xfrm.api.SaCounters;

/**
 * An SA as a backend holds it (what Linux keeps in {@code xfrm_state_offload}). The core frames
 * the packets that reach its IPsec layer through it, for the software backend and for an SA on a
 * device alike (for a crypto-offload SA, except the packets {@code offloadOk} declines: those go
 * through the SA's software twin); what a packet-offload device handles on its own path never
 * reaches the core, which then only reads its counters.
 *
 * <p>{@link #encapsulate} and {@link #decapsulate} work in place on a packet buffer, allocate
 * nothing, and are called by several workers at once for the same SA: a backend keeps per-thread
 * state where it needs it; the shared sequence and replay window ({@link SaContext}) are thread-safe.
 */
public interface OffloadedState {
    /** Refusal codes of {@link #decapsulate} and {@link #encapsulate}, counted by the core. */
    int REPLAYED = -1;
    int TOO_OLD = -2;
    int ZERO_SEQUENCE = -3;
    int AUTH_FAILED = -4;
    int BAD_TRAILER = -5;
    int BAD_LENGTH = -6;
    /** ESP-in-UDP with the non-ESP marker: IKE, not for the dataplane. */
    int NOT_ESP = -7;
    /** A valid dummy packet (RFC 4303 next header 59): counted, nothing to deliver. */
    int DUMMY = -8;
    /** From {@link #encapsulate}: not an IP packet the SA can protect, or too long once protected. */
    int BAD_PACKET = -9;
    /** Outbound sequence numbers are used up: the SA must be replaced. */
    int EXHAUSTED = -11;
    /** The durable sequence mark is behind: the packet is dropped, no number used. */
    int NOT_DURABLE = -12;

    /** Bytes added in front of the packet (outer header, UDP, ESP header, IV). */
    int overheadFront();

    /** Most bytes added behind it (padding, pad length, next header, ICV). */
    int overheadBack();

    /**
     * Protects the IP packet {@code b[packet, packet + length)}: the result starts
     * {@link #overheadFront()} bytes before it; returns its length, or a negative refusal.
     */
    int encapsulate(byte[] b, int packet, int length);

    /**
     * Removes ESP from the packet at {@code start} whose ESP header (or, with UDP encapsulation,
     * UDP header) is at {@code esp}; returns the offset of the resulting IP packet (whose own header
     * gives its length), or a negative refusal.
     */
    int decapsulate(byte[] b, int start, int esp, int length);

    /** Where and how the backend runs the SA, for {@code ip xfrm state} (e.g. "engine openssl"). */
    default String describe() {
        return "";
    }

    /**
     * What the backend counted for this SA itself, folded in by
     * {@link XfrmOffloadProvider#stateUpdateStats}: packets the device handled on its own path,
     * which the core never saw (a packet-offload device's datapath). Packets the core passes
     * through {@link #encapsulate} and {@link #decapsulate} are counted by the core and must not be
     * counted here again. Zeros for software.
     */
    SaCounters deviceCounters();
}
