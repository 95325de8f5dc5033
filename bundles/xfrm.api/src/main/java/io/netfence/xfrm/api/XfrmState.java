package io.netfence.xfrm.api;

import io.netfence.crypto.EspSuite;
import io.netfence.packet.IpAddress;

/**
 * An ESP security association ({@code ip xfrm state add ...}), identified by (dst, spi, esp).
 *
 * @param src            the sender's address (tunnel source in tunnel mode)
 * @param dst            the receiver's address, part of the SA's identity
 * @param spi            security parameters index, 256 or above (RFC 4303: 1-255 are reserved)
 * @param reqid          ties the SA to policy templates ({@code reqid N}; 0 for none)
 * @param suite          algorithms and ICV length
 * @param encryptionKey  the cipher key (for an AEAD: key and 4-byte salt)
 * @param authenticationKey the HMAC key, null for an AEAD
 * @param replayWindow   inbound anti-replay window in packets, 0-4096
 * @param esn            extended (64-bit) sequence numbers ({@code flag esn})
 * @param selector       the traffic the SA may carry ({@code sel ...}); matchesAll() for none
 * @param lifetime       soft and hard limits
 * @param encap          ESP in UDP, or null
 * @param mark           the packet mark the SA applies to
 * @param ifId           the xfrm interface id ({@code if_id N}), 0 for none
 * @param offload        the device to offload to, or null for software
 * @param replaySeq      the inbound replay state to start from ({@code replay-seq}, with
 *                       {@code replay-seq-hi} for ESN): the highest number already seen, 0 for none
 * @param replayOseq     the last outbound number already used ({@code replay-oseq}), so the SA
 *                       goes on where another implementation left it; 0 for a new SA
 */
public record XfrmState(IpAddress src, IpAddress dst, int spi, XfrmMode mode, int reqid,
                        EspSuite suite, KeyMaterial encryptionKey, KeyMaterial authenticationKey,
                        int replayWindow, boolean esn, Selector selector, Lifetime lifetime, Encap encap,
                        Mark mark, int ifId, OffloadSpec offload, long replaySeq, long replayOseq) {
    /** ESP's IP protocol number: the only xfrm protocol Netfence implements. */
    public static final int PROTO_ESP = 50;

    /** A new SA: no replay state carried over. */
    public XfrmState(IpAddress src, IpAddress dst, int spi, XfrmMode mode, int reqid, EspSuite suite, KeyMaterial encryptionKey,
                     KeyMaterial authenticationKey, int replayWindow, boolean esn, Selector selector, Lifetime lifetime, Encap encap,
                     Mark mark, int ifId, OffloadSpec offload) {
        this(src, dst, spi, mode, reqid, suite, encryptionKey, authenticationKey, replayWindow, esn, selector, lifetime, encap, mark,
                ifId, offload, 0, 0);
    }

    /** The outer address family, 4 or 6. */
    public int family() {
        return dst.version();
    }

    /** {@code spi 0x0000abcd} as iproute2 prints it. */
    public String spiText() {
        return String.format("0x%08x", spi);
    }

    /** Keys never appear here; {@code ip xfrm state} shows them deliberately, through {@link KeyMaterial#hex()}. */
    @Override
    public String toString() {
        return "XfrmState[src " + src + " dst " + dst + " spi " + spiText() + " mode " + mode.word() + " reqid " + reqid
                + " " + suite + "]";
    }
}
