package io.netfence.packet;

/** Ethernet II header: destination MAC, source MAC, EtherType. MACs are the low 48 bits of a long. */
public final class Ethernet {
    public static final int HEADER_LEN = 14;
    public static final int ADDR_LEN = 6;
    /** Offset of the EtherType (or of the first VLAN TPID) from the start of the frame. */
    public static final int TYPE_OFFSET = 12;

    private Ethernet() {
    }

    public static long dst(byte[] b, int off) {
        return Bytes.getMac(b, off);
    }

    public static long src(byte[] b, int off) {
        return Bytes.getMac(b, off + 6);
    }

    public static int type(byte[] b, int off) {
        return Bytes.u16(b, off + 12);
    }

    public static void setDst(byte[] b, int off, long mac) {
        Bytes.putMac(b, off, mac);
    }

    public static void setSrc(byte[] b, int off, long mac) {
        Bytes.putMac(b, off + 6, mac);
    }

    public static void setType(byte[] b, int off, int ethType) {
        Bytes.put16(b, off + 12, ethType);
    }

    public static void write(byte[] b, int off, long dst, long src, int ethType) {
        Bytes.putMac(b, off, dst);
        Bytes.putMac(b, off + 6, src);
        Bytes.put16(b, off + 12, ethType);
    }

    /** True for group (multicast and broadcast) addresses: the I/G bit of the first octet. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    public static boolean isBroadcast(long mac) {
        return mac == 0xFFFF_FFFF_FFFFL;
    }
}
