package io.netfence.backend.software.tc;

import io.netfence.packet.FlowKey;
import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.Masked;

/**
 * The flower key packed into {@value #WORDS} longs, so a filter is a mask and a value over the
 * same words and a packet is matched by masking, hashing and comparing longs:
 *
 * <pre>
 * 0 DST_MAC   eth dst (48 bits)
 * 1 SRC_MAC   eth src (48 bits)
 * 2 META      in port (bits 0-31) | vlan_ethtype (32-47)
 * 3,4 SRC_IP  IPv6 high, low; IPv4 in the low 32 bits of word 4
 * 5,6 DST_IP  the same for the destination
 * 7 L4        src port (0-15) | dst port (16-31) | ip_proto (32-39) | tos (40-47) | ttl (48-55)
 * 8 MISC      tcp flags (0-11) | icmp type (12-20) | icmp code (21-29) | vlan id (30-41) | vlan prio (42-44)
 * </pre>
 *
 * ICMP type and code take 9 bits so a packet without them (-1) never equals a filter's 0-255.
 * Port ranges are not part of the mask: they cannot be hashed and are checked after a hit.
 */
final class FlowerKey {
    static final int WORDS = 9;
    static final int DST_MAC = 0;
    static final int SRC_MAC = 1;
    static final int META = 2;
    static final int SRC_IP_HI = 3;
    static final int SRC_IP_LO = 4;
    static final int DST_IP_HI = 5;
    static final int DST_IP_LO = 6;
    static final int L4 = 7;
    static final int MISC = 8;

    private static final long MAC = 0xFFFF_FFFF_FFFFL;
    private static final long U32 = 0xFFFF_FFFFL;
    private static final int VLAN_ETHTYPE_SHIFT = 32;
    private static final int DST_PORT_SHIFT = 16;
    private static final int PROTO_SHIFT = 32;
    private static final int TOS_SHIFT = 40;
    private static final int TTL_SHIFT = 48;
    private static final int ICMP_TYPE_SHIFT = 12;
    private static final int ICMP_CODE_SHIFT = 21;
    private static final int VLAN_ID_SHIFT = 30;
    private static final int VLAN_PRIO_SHIFT = 42;
    private static final long TCP_FLAGS = 0xFFF;
    private static final long ICMP_FIELD = 0x1FF;

    private FlowerKey() {
    }

    /** The packet's words; its key must describe the frame. */
    static void extract(PacketBuffer p, long[] w) {
        FlowKey k = p.key;
        w[DST_MAC] = k.ethDst;
        w[SRC_MAC] = k.ethSrc;
        w[META] = (p.inPort & U32) | ((long) ClassifyContext.vlanEthTypeOf(p) << VLAN_ETHTYPE_SHIFT);
        if (k.ipVersion == 4) {
            w[SRC_IP_HI] = 0;
            w[SRC_IP_LO] = k.ipv4Src & U32;
            w[DST_IP_HI] = 0;
            w[DST_IP_LO] = k.ipv4Dst & U32;
        } else if (k.ipVersion == 6) {
            w[SRC_IP_HI] = k.ipv6SrcHi;
            w[SRC_IP_LO] = k.ipv6SrcLo;
            w[DST_IP_HI] = k.ipv6DstHi;
            w[DST_IP_LO] = k.ipv6DstLo;
        } else {
            w[SRC_IP_HI] = 0;
            w[SRC_IP_LO] = 0;
            w[DST_IP_HI] = 0;
            w[DST_IP_LO] = 0;
        }
        w[L4] = (k.srcPort & 0xFFFFL) | ((k.dstPort & 0xFFFFL) << DST_PORT_SHIFT) | ((k.ipProto & 0xFFL) << PROTO_SHIFT)
                | ((k.tos & 0xFFL) << TOS_SHIFT) | ((k.ttl & 0xFFL) << TTL_SHIFT);
        w[MISC] = (k.tcpFlags & TCP_FLAGS) | ((k.icmpType & ICMP_FIELD) << ICMP_TYPE_SHIFT)
                | ((k.icmpCode & ICMP_FIELD) << ICMP_CODE_SHIFT) | ((k.vlanId & 0xFFFL) << VLAN_ID_SHIFT)
                | ((k.vlanPrio & 7L) << VLAN_PRIO_SHIFT);
    }

    /**
     * A filter's mask and value words ({@code value} already masked). Exact ports are keys; port
     * ranges are left out (see {@link FlowerRule}). {@code indevPort} is the resolved indev, -1 if none.
     */
    static void encode(FlowerMatch m, int protocol, int indevPort, long[] mask, long[] value) {
        java.util.Arrays.fill(mask, 0);
        java.util.Arrays.fill(value, 0);
        put(mask, value, DST_MAC, 0, m.dstMac().lo(), m.dstMac().maskLo() & MAC);
        put(mask, value, SRC_MAC, 0, m.srcMac().lo(), m.srcMac().maskLo() & MAC);
        if (indevPort >= 0) {
            put(mask, value, META, 0, indevPort, U32);
        }
        if (m.vlanEthType() != 0) {
            put(mask, value, META, VLAN_ETHTYPE_SHIFT, m.vlanEthType(), 0xFFFF);
        }
        boolean vlanProtocol = protocol == EtherTypes.VLAN || protocol == EtherTypes.QINQ;
        boolean v6 = (vlanProtocol ? m.vlanEthType() : protocol) == EtherTypes.IPV6;
        putAddress(mask, value, SRC_IP_HI, SRC_IP_LO, m.srcIp(), v6);
        putAddress(mask, value, DST_IP_HI, DST_IP_LO, m.dstIp(), v6);
        if (m.srcPort() != null && !m.srcPort().isRange()) {
            put(mask, value, L4, 0, m.srcPort().min(), 0xFFFF);
        }
        if (m.dstPort() != null && !m.dstPort().isRange()) {
            put(mask, value, L4, DST_PORT_SHIFT, m.dstPort().min(), 0xFFFF);
        }
        if (m.ipProto() >= 0) {
            put(mask, value, L4, PROTO_SHIFT, m.ipProto(), 0xFF);
        }
        put(mask, value, L4, TOS_SHIFT, m.ipTos().lo(), m.ipTos().maskLo() & 0xFF);
        put(mask, value, L4, TTL_SHIFT, m.ipTtl().lo(), m.ipTtl().maskLo() & 0xFF);
        put(mask, value, MISC, 0, m.tcpFlags().lo(), m.tcpFlags().maskLo() & TCP_FLAGS);
        if (m.icmpType() >= 0) {
            put(mask, value, MISC, ICMP_TYPE_SHIFT, m.icmpType(), ICMP_FIELD);
        }
        if (m.icmpCode() >= 0) {
            put(mask, value, MISC, ICMP_CODE_SHIFT, m.icmpCode(), ICMP_FIELD);
        }
        if (m.vlanId() >= 0) {
            put(mask, value, MISC, VLAN_ID_SHIFT, m.vlanId(), 0xFFF);
        }
        if (m.vlanPrio() >= 0) {
            put(mask, value, MISC, VLAN_PRIO_SHIFT, m.vlanPrio(), 7);
        }
    }

    private static void putAddress(long[] mask, long[] value, int hi, int lo, Masked a, boolean v6) {
        if (v6) {
            put(mask, value, hi, 0, a.hi(), a.maskHi());
            put(mask, value, lo, 0, a.lo(), a.maskLo());
        } else {
            put(mask, value, lo, 0, a.lo(), a.maskLo() & U32);
        }
    }

    private static void put(long[] mask, long[] value, int word, int shift, long v, long m) {
        mask[word] |= m << shift;
        value[word] |= (v & m) << shift;
    }
}
