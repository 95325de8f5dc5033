package io.netfence.packet;

/** ICMP for IPv4 (RFC 792). {@code off} is the ICMP header. */
public final class Icmp {
    public static final int HEADER_LEN = 8;
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACH = 3;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;
    /** Destination-unreachable codes. */
    public static final int NET_UNREACH = 0;
    public static final int HOST_UNREACH = 1;
    public static final int PROTO_UNREACH = 2;
    public static final int PORT_UNREACH = 3;
    public static final int FRAG_NEEDED = 4;
    public static final int ADMIN_PROHIBITED = 13;
    /** Time-exceeded codes. */
    public static final int TTL_EXCEEDED_IN_TRANSIT = 0;
    public static final int FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;

    private Icmp() {
    }

    public static int type(byte[] b, int off) {
        return Bytes.u8(b, off);
    }

    public static int code(byte[] b, int off) {
        return Bytes.u8(b, off + 1);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    /** Echo request/reply identifier. */
    public static int echoId(byte[] b, int off) {
        return Bytes.u16(b, off + 4);
    }

    /** Echo request/reply sequence number. */
    public static int echoSeq(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    /** Next-hop MTU of a fragmentation-needed message (RFC 1191). */
    public static int nextHopMtu(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    public static boolean isEcho(int type) {
        return type == TYPE_ECHO_REQUEST || type == TYPE_ECHO_REPLY;
    }

    /** Writes type, code and the 4-byte rest-of-header word; the checksum is left 0. */
    public static void write(byte[] b, int off, int type, int code, int restOfHeader) {
        Bytes.put8(b, off, type);
        Bytes.put8(b, off + 1, code);
        Bytes.put16(b, off + 2, 0);
        Bytes.put32(b, off + 4, restOfHeader);
    }

    public static void setType(byte[] b, int off, int type) {
        Bytes.put8(b, off, type);
    }

    /** Computes and stores the checksum over {@code len} bytes of ICMP message (no pseudo-header). */
    public static void setChecksum(byte[] b, int off, int len) {
        Bytes.put16(b, off + 2, 0);
        Bytes.put16(b, off + 2, Checksum.finish(Checksum.sum(b, off, len, 0)));
    }

    public static boolean checksumValid(byte[] b, int off, int len) {
        return Checksum.sum(b, off, len, 0) == 0xFFFF;
    }
}
