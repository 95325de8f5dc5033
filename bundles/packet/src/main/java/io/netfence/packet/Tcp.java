package io.netfence.packet;

/** The TCP header (RFC 9293). {@code off} is the TCP header. */
public final class Tcp {
    public static final int MIN_HEADER_LEN = 20;
    public static final int MAX_HEADER_LEN = 60;
    public static final int PROTO = 6;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /** The NS (ECN nonce, RFC 3540, historic) bit, reported as 0x100 like {@link FlowKey#tcpFlags}. */
    public static final int NS = 0x100;

    private Tcp() {
    }

    public static int srcPort(byte[] b, int off) {
        return Bytes.u16(b, off);
    }

    public static int dstPort(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    /** Sequence number, unsigned 32 bits held in an int. */
    public static int seq(byte[] b, int off) {
        return Bytes.i32(b, off + 4);
    }

    /** Acknowledgment number, unsigned 32 bits held in an int. */
    public static int ack(byte[] b, int off) {
        return Bytes.i32(b, off + 8);
    }

    /** Header length in bytes (data offset * 4). */
    public static int dataOffset(byte[] b, int off) {
        return (Bytes.u8(b, off + 12) >>> 4) << 2;
    }

    /** FIN..CWR in bits 0-7 and NS as 0x100. */
    public static int flags(byte[] b, int off) {
        return Bytes.u16(b, off + 12) & 0x1FF;
    }

    public static int window(byte[] b, int off) {
        return Bytes.u16(b, off + 14);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + 16);
    }

    public static int urgentPointer(byte[] b, int off) {
        return Bytes.u16(b, off + 18);
    }

    /** Writes a 20-byte header (no options) with checksum 0. */
    public static void write(byte[] b, int off, int sport, int dport, int seq, int ack, int flags, int window) {
        Bytes.put16(b, off, sport);
        Bytes.put16(b, off + 2, dport);
        Bytes.put32(b, off + 4, seq);
        Bytes.put32(b, off + 8, ack);
        Bytes.put16(b, off + 12, (5 << 12) | (flags & 0x1FF));
        Bytes.put16(b, off + 14, window);
        Bytes.put16(b, off + 16, 0);
        Bytes.put16(b, off + 18, 0);
    }

    public static void setSrcPort(byte[] b, int off, int port) {
        Bytes.put16(b, off, port);
    }

    public static void setDstPort(byte[] b, int off, int port) {
        Bytes.put16(b, off + 2, port);
    }

    /** Computes and stores the checksum of {@code len} bytes of TCP over the IPv4 header at {@code ipv4Off}. */
    public static void setChecksumV4(byte[] b, int ipv4Off, int off, int len) {
        Bytes.put16(b, off + 16, 0);
        Bytes.put16(b, off + 16, ~Checksum.transportV4(b, ipv4Off, off, len, PROTO) & 0xFFFF);
    }

    /** Computes and stores the checksum of {@code len} bytes of TCP over the IPv6 header at {@code ipv6Off}. */
    public static void setChecksumV6(byte[] b, int ipv6Off, int off, int len) {
        Bytes.put16(b, off + 16, 0);
        Bytes.put16(b, off + 16, ~Checksum.transportV6(b, ipv6Off, off, len, PROTO) & 0xFFFF);
    }

    public static boolean checksumValidV4(byte[] b, int ipv4Off, int off, int len) {
        return Checksum.transportV4(b, ipv4Off, off, len, PROTO) == 0xFFFF;
    }

    public static boolean checksumValidV6(byte[] b, int ipv6Off, int off, int len) {
        return Checksum.transportV6(b, ipv6Off, off, len, PROTO) == 0xFFFF;
    }
}
