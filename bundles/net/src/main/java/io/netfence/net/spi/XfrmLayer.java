package io.netfence.net.spi;

import io.netfence.packet.PacketBuffer;

/**
 * The IPsec layer of the packet path, registered as an OSGi service by the xfrm bundle (at most
 * one is used). The dataplane calls it at Linux's points: ESP addressed to the appliance goes to
 * {@link #input}; a routed packet (forwarded or generated here) is looked up against the output
 * policies ({@link #outputLookup}) and, when an SA applies, checked against the path MTU minus
 * {@link #overhead}, then {@link #encapsulate encapsulated} and routed again as the outer packet;
 * a plain packet to deliver or forward is checked against the in/fwd policies
 * ({@link #inboundAllowed}) so traffic a policy requires to be protected never passes in clear.
 *
 * <p>Called by every worker concurrently; no call blocks or allocates per packet. A call that
 * drops a packet sets {@code p.dropReason} to a {@link io.netfence.packet.DropReason} ordinal and
 * returns {@link #DROPPED}; the dataplane counts it.
 */
public interface XfrmLayer {
    /** IPsec has nothing to say about the packet: carry on as without it. */
    int PASS = -1;
    /** The packet is to be dropped; its {@code dropReason} says why. */
    int DROPPED = -2;
    /** The packet was for IPsec and is done with, not a drop (a NAT-T keepalive). */
    int CONSUMED = -3;

    /** False while no policy and no SA exists: the dataplane then skips every other call. */
    boolean active();

    /**
     * Output policy lookup (dir out) for the IP packet at {@code p.key.l3Offset}, dissected into
     * {@code p.key}; {@code ifId} is the xfrm interface id the route chose, 0 for none. Returns an
     * SA handle (&gt;= 0) to protect the packet with, {@link #PASS}, or {@link #DROPPED} (a block
     * policy, or no SA yet: an acquire event went out).
     */
    int outputLookup(PacketBuffer p, int ifId);

    /** The most bytes SA handle {@code sa} adds to a packet. */
    int overhead(int sa);

    /**
     * Protects the packet with SA handle {@code sa}. On success returns 0 and leaves {@code p}
     * holding an Ethernet frame whose L3 is the outer packet (addresses not yet resolved: the
     * caller dissects and routes it); otherwise {@link #DROPPED}.
     */
    int encapsulate(PacketBuffer p, int sa);

    /**
     * ESP, or ESP in UDP, addressed to the appliance. Returns {@link #PASS} when it is not for
     * IPsec (e.g. IKE on UDP 4500 with the non-ESP marker, or UDP to a port no SA uses);
     * {@link #DROPPED}; {@link #CONSUMED}; or, on success, the if_id of the SA (&gt;= 0) with {@code p} holding an
     * Ethernet frame with the inner packet, and {@code p.secPath} naming the SA.
     */
    int input(PacketBuffer p);

    /**
     * The in (local delivery) or fwd (forwarding) policy check for a packet that has been
     * decrypted ({@code p.secPath != 0}) or arrived in clear. False: drop it, reason set.
     */
    boolean inboundAllowed(PacketBuffer p, boolean forward);
}
