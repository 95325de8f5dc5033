package io.netfence.xfrm.api;

/**
 * An SA as the SAD holds it now: configuration, counters and sequence state.
 *
 * @param addTime     epoch seconds the SA was added
 * @param useTime     epoch seconds of its first use, 0 if never used (Linux's "use" time)
 * @param outboundSeq the last sequence number sent (oseq)
 * @param inboundSeq  the highest sequence number accepted (seq)
 * @param bitmap      the low 32 bits of the replay bitmap, as iproute2 shows them
 * @param softExpired a soft limit was reached (the event went out)
 * @param placement   where the SA runs: "software", or the device, or why it is not offloaded
 * @param window      the whole replay window: bit i (of word i / 64) stands for {@code inboundSeq - i};
 *                    (replay-window + 63) / 64 words
 */
public record XfrmStateInfo(XfrmState state, SaCounters counters, long addTime, long useTime, long outboundSeq,
                            long inboundSeq, long bitmap, boolean softExpired, String placement, long[] window) {
    public XfrmStateInfo {
        window = window == null ? new long[0] : window.clone();
    }

    /** Without the whole window: it is {@code bitmap}'s 32 bits. */
    public XfrmStateInfo(XfrmState state, SaCounters counters, long addTime, long useTime, long outboundSeq, long inboundSeq,
                         long bitmap, boolean softExpired, String placement) {
        this(state, counters, addTime, useTime, outboundSeq, inboundSeq, bitmap, softExpired, placement,
                bitmap == 0 ? new long[0] : new long[] {bitmap & 0xFFFF_FFFFL});
    }

    @Override
    public long[] window() {
        return window.clone();
    }
}
