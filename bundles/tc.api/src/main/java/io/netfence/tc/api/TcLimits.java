package io.netfence.tc.api;

/** Bounds the kernel applies too. */
public final class TcLimits {
    /** Largest chain index (the kernel's u32 minus its reserved top values; tc accepts this range). */
    public static final int MAX_CHAIN = 0xFFFF_FFFE >>> 1;
    /** Priorities are 16 bits; 0 means "let the system choose" on add. */
    public static final int MAX_PRIO = 0xFFFF;
    /** Most actions in one list (TCA_ACT_MAX_PRIO). */
    public static final int MAX_ACTIONS = 32;
    /**
     * How many times one packet may be sent back by {@code reclassify} or follow {@code goto chain}
     * before it is dropped and counted (the kernel's {@code max_reclassify_loop} is 16).
     */
    public static final int MAX_RECLASSIFY = 16;

    private TcLimits() {
    }
}
