package io.netfence.xfrm.internal;

import io.netfence.packet.FlowKey;
import io.netfence.packet.IpPrefix;
import io.netfence.xfrm.api.Selector;

/**
 * A {@link Selector} compiled for the packet path: prefixes as masked words, so matching a
 * dissected packet is a handful of ANDs and compares.
 */
final class PacketMatch {
    final int family;
    final int srcLength;
    final int dstLength;
    final long srcHi, srcLo, srcMaskHi, srcMaskLo;
    final long dstHi, dstLo, dstMaskHi, dstMaskLo;
    final int proto;
    final int sport, sportMask, dport, dportMask;

    PacketMatch(Selector s) {
        this.family = s.family();
        this.srcLength = s.src().length();
        this.dstLength = s.dst().length();
        long[] src = words(s.src());
        long[] dst = words(s.dst());
        srcHi = src[0];
        srcLo = src[1];
        srcMaskHi = src[2];
        srcMaskLo = src[3];
        dstHi = dst[0];
        dstLo = dst[1];
        dstMaskHi = dst[2];
        dstMaskLo = dst[3];
        proto = s.proto();
        sport = s.sport();
        sportMask = s.sportMask();
        dport = s.dport();
        dportMask = s.dportMask();
    }

    /** {hi, lo, maskHi, maskLo}; an IPv4 prefix lives in lo's low 32 bits. */
    static long[] words(IpPrefix p) {
        long hi = p.address().hi();
        long lo = p.address().lo();
        long[] m = masks(p.address().version(), p.length());
        return new long[] {hi & m[0], lo & m[1], m[0], m[1]};
    }

    static long[] masks(int family, int length) {
        if (family == 4) {
            return new long[] {0, length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL};
        }
        long mh = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
        long ml = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
        return new long[] {mh, ml};
    }

    static long srcHi(FlowKey k) {
        return k.ipVersion == 4 ? 0 : k.ipv6SrcHi;
    }

    static long srcLo(FlowKey k) {
        return k.ipVersion == 4 ? k.ipv4Src & 0xFFFF_FFFFL : k.ipv6SrcLo;
    }

    static long dstHi(FlowKey k) {
        return k.ipVersion == 4 ? 0 : k.ipv6DstHi;
    }

    static long dstLo(FlowKey k) {
        return k.ipVersion == 4 ? k.ipv4Dst & 0xFFFF_FFFFL : k.ipv6DstLo;
    }

    /** Everything but the addresses (the policy index has matched those already). */
    boolean matchesUpperLayer(FlowKey k) {
        if (proto != 0 && k.ipProto != proto) {
            return false;
        }
        if ((sportMask | dportMask) == 0) {
            return true;
        }
        // Linux's selector: ICMP type in the source port, code in the destination port.
        int sp;
        int dp;
        if (k.ipProto == 1 || k.ipProto == 58) {
            sp = k.icmpType;
            dp = k.icmpCode;
        } else {
            sp = k.srcPort;
            dp = k.dstPort;
        }
        return (sp & sportMask) == sport && (dp & dportMask) == dport;
    }

    boolean matches(FlowKey k) {
        if (k.ipVersion != family) {
            return false;
        }
        return (srcHi(k) & srcMaskHi) == srcHi && (srcLo(k) & srcMaskLo) == srcLo
                && (dstHi(k) & dstMaskHi) == dstHi && (dstLo(k) & dstMaskLo) == dstLo && matchesUpperLayer(k);
    }
}
