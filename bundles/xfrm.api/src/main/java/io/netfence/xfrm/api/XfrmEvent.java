package io.netfence.xfrm.api;

/**
 * What {@code ip xfrm monitor} streams. Exactly one of {@code state}, {@code policy} and
 * {@code acquire} is set, except for the flush events which carry none.
 *
 * @param time    epoch milliseconds
 * @param acquire for ACQUIRE: the policy that matched and the packet's selector (its addresses,
 *                protocol and ports)
 */
public record XfrmEvent(Kind kind, long time, XfrmState state, XfrmPolicy policy, Selector acquire) {
    public enum Kind {
        STATE_ADD, STATE_UPDATE, STATE_DELETE, STATE_FLUSH, EXPIRE_SOFT, EXPIRE_HARD, ACQUIRE,
        POLICY_ADD, POLICY_UPDATE, POLICY_DELETE, POLICY_FLUSH, POLICY_EXPIRE_SOFT, POLICY_EXPIRE_HARD
    }
}
