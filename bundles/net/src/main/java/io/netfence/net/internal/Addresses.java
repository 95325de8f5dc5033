package io.netfence.net.internal;

/** Address-class tests on primitive addresses, shared by the control plane and the packet path. */
final class Addresses {
    static final long V6_LINK_LOCAL_HI = 0xFE80_0000_0000_0000L;
    static final long V6_ALL_NODES_HI = 0xFF02_0000_0000_0000L;
    static final long V6_ALL_NODES_LO = 1L;
    static final long V6_ALL_ROUTERS_LO = 2L;
    /** ff02::1:ff00:0/104, low half without the 24 address bits. */
    static final long V6_SOLICITED_NODE_LO = 0x0000_0001_FF00_0000L;
    static final long MAC_MULTICAST_BIT = 0x0100_0000_0000L;

    private Addresses() {
    }

    static boolean isV4Multicast(int a) {
        return (a & 0xF000_0000) == 0xE000_0000;
    }

    static boolean isV4Loopback(int a) {
        return (a >>> 24) == 127;
    }

    /** 0.0.0.0, 255.255.255.255, multicast, loopback: never a valid unicast sender or host. */
    static boolean isV4Special(int a) {
        return a == 0 || a == -1 || isV4Multicast(a) || isV4Loopback(a);
    }

    static boolean isV6Multicast(long hi) {
        return (hi >>> 56) == 0xFF;
    }

    static boolean isV6LinkLocal(long hi) {
        return (hi >>> 54) == 0x3FA;
    }

    static boolean isV6Loopback(long hi, long lo) {
        return hi == 0 && lo == 1;
    }

    static boolean isV6Unspecified(long hi, long lo) {
        return hi == 0 && lo == 0;
    }

    static boolean isSolicitedNode(long hi, long lo) {
        return hi == V6_ALL_NODES_HI && (lo & 0xFFFF_FFFF_FF00_0000L) == V6_SOLICITED_NODE_LO;
    }

    /** The solicited-node multicast group of an address (RFC 4291 section 2.7.1): low 64 bits. */
    static long solicitedNodeLo(long targetLo) {
        return V6_SOLICITED_NODE_LO | (targetLo & 0xFF_FFFFL);
    }

    /** The Ethernet group address of an IPv6 multicast group: 33:33 and the low 32 bits (RFC 2464). */
    static long v6MulticastMac(long groupLo) {
        return 0x3333_0000_0000L | (groupLo & 0xFFFF_FFFFL);
    }

    /** fe80::/64 with the modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A): low 64 bits. */
    static long eui64(long mac) {
        long oui = (mac >>> 24) & 0xFF_FFFFL;
        long nic = mac & 0xFF_FFFFL;
        return ((oui ^ 0x02_0000L) << 40) | (0xFFFEL << 24) | nic;
    }

    /**
     * An address a host can have or be reached at: not unspecified (0.0.0.0, ::), not multicast,
     * not the IPv4 limited broadcast. Shared by addresses, gateways and neighbour entries.
     */
    static boolean isUnicastHost(io.netfence.packet.IpAddress a) {
        boolean unspecified = a.hi() == 0 && a.lo() == 0;
        return !unspecified && !a.isMulticast() && !(a.isV4() && a.v4bits() == -1);
    }

    static int v4Mask(int len) {
        return len == 0 ? 0 : -1 << (32 - len);
    }
}
