package io.netfence.xfrm.api;

/**
 * Soft and hard limits of an SA or policy ({@code limit time-soft|time-hard|time-use-soft|
 * time-use-hard SECONDS}, {@code byte-soft|byte-hard|packet-soft|packet-hard N}). As in Linux, a
 * byte or packet limit of {@link #INF} and a time limit of 0 mean "none". Soft expiry raises an
 * event so the key manager rekeys; hard expiry removes the SA.
 */
public record Lifetime(long softBytes, long hardBytes, long softPackets, long hardPackets,
                       long softAddSeconds, long hardAddSeconds, long softUseSeconds, long hardUseSeconds) {
    /** Unlimited bytes or packets (Linux's XFRM_INF, 2^64 - 1, printed "(INF)"). */
    public static final long INF = -1L;
    public static final Lifetime NONE = new Lifetime(INF, INF, INF, INF, 0, 0, 0, 0);

    public Lifetime {
        for (long v : new long[] {softAddSeconds, hardAddSeconds, softUseSeconds, hardUseSeconds}) {
            if (v < 0) {
                throw new IllegalArgumentException("a time limit is 0 (none) or a positive number of seconds");
            }
        }
    }

    public boolean isNone() {
        return equals(NONE);
    }
}
