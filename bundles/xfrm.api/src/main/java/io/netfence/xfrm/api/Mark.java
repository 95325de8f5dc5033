package io.netfence.xfrm.api;

/** {@code mark VALUE [mask MASK]}: matches packets whose mark ANDed with the mask equals the value. */
public record Mark(int value, int mask) {
    /** No mark: matches every packet. */
    public static final Mark NONE = new Mark(0, 0);

    public Mark {
        value &= mask;
    }

    public boolean matches(int packetMark) {
        return (packetMark & mask) == value;
    }
}
