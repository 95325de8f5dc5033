package io.netfence.packet;

/**
 * The fields tc flower and xfrm selectors match on, as the dissector found them in one packet.
 * Offsets are absolute indexes into {@link PacketBuffer#data}; -1 means "not present".
 * Addresses are kept in primitive fields (IPv4 in an int, IPv6 as two longs, MACs in the low
 * 48 bits of a long) so matching and hashing never allocate.
 */
public final class FlowKey {
    public static final int ETH_P_IPV4 = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_8021Q = 0x8100;
    public static final int ETH_P_8021AD = 0x88A8;
    public static final int ETH_P_IPV6 = 0x86DD;

    public int inPort;
    public long ethDst;
    public long ethSrc;
    /** EtherType after any VLAN tags. */
    public int ethType;
    /** Outer VLAN tag: id 0-4095, -1 if untagged; priority (PCP) 0-7. */
    public int vlanId;
    public int vlanPrio;
    /** Second (inner) VLAN tag id, -1 if absent. */
    public int cvlanId;

    /** 4 or 6 for IP packets, 0 otherwise. */
    public int ipVersion;
    /**
     * Upper-layer protocol after IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 50 ESP...).
     * For ARP (ipVersion 0) the low 8 bits of the opcode, as tc flower's arp_op.
     */
    public int ipProto;
    /** IPv4 addresses; for ARP the sender and target protocol addresses (flower's arp_sip/arp_tip). */
    public int ipv4Src;
    public int ipv4Dst;
    public long ipv6SrcHi, ipv6SrcLo;
    public long ipv6DstHi, ipv6DstLo;
    /** IPv4 TOS byte or IPv6 traffic class. */
    public int tos;
    /** IPv4 TTL or IPv6 hop limit. */
    public int ttl;
    /** True for any fragment; true with {@link #firstFragment} false for non-first fragments (no L4). */
    public boolean fragment;
    public boolean firstFragment;

    public int srcPort;
    public int dstPort;
    /** TCP flags byte (FIN 0x01 ... CWR 0x80), plus the NS bit as 0x100. */
    public int tcpFlags;
    public int icmpType;
    public int icmpCode;
    /** ESP SPI (unsigned 32 bits held in an int). */
    public int espSpi;

    /** Absolute offsets into the buffer: Ethernet, network header, transport header, payload. */
    public int l2Offset;
    public int l3Offset;
    public int l4Offset;
    public int payloadOffset;

    public void clear() {
        inPort = -1;
        ethDst = 0;
        ethSrc = 0;
        ethType = 0;
        vlanId = -1;
        vlanPrio = 0;
        cvlanId = -1;
        ipVersion = 0;
        ipProto = 0;
        ipv4Src = 0;
        ipv4Dst = 0;
        ipv6SrcHi = ipv6SrcLo = ipv6DstHi = ipv6DstLo = 0;
        tos = 0;
        ttl = 0;
        fragment = false;
        firstFragment = false;
        srcPort = 0;
        dstPort = 0;
        tcpFlags = 0;
        icmpType = -1;
        icmpCode = -1;
        espSpi = 0;
        l2Offset = -1;
        l3Offset = -1;
        l4Offset = -1;
        payloadOffset = -1;
    }
}
