package io.netfence.packet;

/** The UDP header (RFC 768). {@code off} is the UDP header. */
public final class Udp {
    public static final int HEADER_LEN = 8;
    public static final int PROTO = 17;

    private Udp() {
    }

    public static int srcPort(byte[] b, int off) {
        return Bytes.u16(b, off);
    }

    public static int dstPort(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    /** Header plus data, in bytes, as the header claims. */
    public static int length(byte[] b, int off) {
        return Bytes.u16(b, off + 4);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    /** Writes ports and length with checksum 0 (none, for IPv4); see {@link #setChecksumV4}. */
    public static void write(byte[] b, int off, int sport, int dport, int length) {
        Bytes.put16(b, off, sport);
        Bytes.put16(b, off + 2, dport);
        Bytes.put16(b, off + 4, length);
        Bytes.put16(b, off + 6, 0);
    }

    public static void setSrcPort(byte[] b, int off, int port) {
        Bytes.put16(b, off, port);
    }

    public static void setDstPort(byte[] b, int off, int port) {
        Bytes.put16(b, off + 2, port);
    }

    /**
     * Computes and stores the checksum of {@code len} bytes of UDP over the IPv4 header at
     * {@code ipv4Off}. A computed 0 is sent as 0xFFFF, since 0 means "no checksum".
     */
    public static void setChecksumV4(byte[] b, int ipv4Off, int off, int len) {
        Bytes.put16(b, off + 6, 0);
        int c = ~Checksum.transportV4(b, ipv4Off, off, len, PROTO) & 0xFFFF;
        Bytes.put16(b, off + 6, c == 0 ? 0xFFFF : c);
    }

    /** Like {@link #setChecksumV4} over the IPv6 header at {@code ipv6Off}. */
    public static void setChecksumV6(byte[] b, int ipv6Off, int off, int len) {
        Bytes.put16(b, off + 6, 0);
        int c = ~Checksum.transportV6(b, ipv6Off, off, len, PROTO) & 0xFFFF;
        Bytes.put16(b, off + 6, c == 0 ? 0xFFFF : c);
    }

    /** True if the checksum verifies or is 0 (which over IPv4 means the sender did not compute one). */
    public static boolean checksumValidV4(byte[] b, int ipv4Off, int off, int len) {
        return checksum(b, off) == 0 || Checksum.transportV4(b, ipv4Off, off, len, PROTO) == 0xFFFF;
    }

    /** True if the checksum verifies; over IPv6 it is mandatory (RFC 8200 section 8.1), so 0 is invalid. */
    public static boolean checksumValidV6(byte[] b, int ipv6Off, int off, int len) {
        return checksum(b, off) != 0 && Checksum.transportV6(b, ipv6Off, off, len, PROTO) == 0xFFFF;
    }
}
