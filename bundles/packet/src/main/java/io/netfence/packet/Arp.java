package io.netfence.packet;

/** ARP for Ethernet/IPv4 (RFC 826): the only form a router answers. */
public final class Arp {
    public static final int LEN = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;
    public static final int HTYPE_ETHERNET = 1;

    private Arp() {
    }

    public static int htype(byte[] b, int off) {
        return Bytes.u16(b, off);
    }

    public static int ptype(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    public static int hlen(byte[] b, int off) {
        return Bytes.u8(b, off + 4);
    }

    public static int plen(byte[] b, int off) {
        return Bytes.u8(b, off + 5);
    }

    public static int op(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    public static long senderMac(byte[] b, int off) {
        return Bytes.getMac(b, off + 8);
    }

    public static int senderIp(byte[] b, int off) {
        return Bytes.i32(b, off + 14);
    }

    public static long targetMac(byte[] b, int off) {
        return Bytes.getMac(b, off + 18);
    }

    public static int targetIp(byte[] b, int off) {
        return Bytes.i32(b, off + 24);
    }

    /** True if the fixed fields say Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4). */
    public static boolean isEthernetIpv4(byte[] b, int off) {
        return Bytes.i32(b, off) == 0x0001_0800 && Bytes.u16(b, off + 4) == 0x0604;
    }

    public static void write(byte[] b, int off, int op, long sha, int spa, long tha, int tpa) {
        Bytes.put32(b, off, 0x0001_0800);
        Bytes.put16(b, off + 4, 0x0604);
        Bytes.put16(b, off + 6, op);
        Bytes.putMac(b, off + 8, sha);
        Bytes.put32(b, off + 14, spa);
        Bytes.putMac(b, off + 18, tha);
        Bytes.put32(b, off + 24, tpa);
    }
}
