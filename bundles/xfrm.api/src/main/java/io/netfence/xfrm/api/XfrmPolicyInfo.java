package io.netfence.xfrm.api;

/** A policy as the SPD holds it now, with its counters (packets and bytes that matched it). */
public record XfrmPolicyInfo(XfrmPolicy policy, long packets, long bytes, long addTime, long useTime) {
}
