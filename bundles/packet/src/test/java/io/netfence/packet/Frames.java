package io.netfence.packet;

import java.util.HexFormat;

/** Test helpers: hex frames and dissection with the frame flush against the end of its array. */
final class Frames {
    /** Locally administered test MACs. */
    static final long MAC_A = 0x02_00_00_00_00_0AL;
    static final long MAC_B = 0x02_00_00_00_00_0BL;
    static final int IP_A = 0x0A_00_00_01; // 10.0.0.1
    static final int IP_B = 0xC0_A8_01_02; // 192.168.1.2
    static final long V6_A_HI = 0x2001_0DB8_0000_0001L;
    static final long V6_A_LO = 0x0000_0000_0000_0001L;
    static final long V6_B_HI = 0x2001_0DB8_0000_0002L;
    static final long V6_B_LO = 0x0000_0000_0000_0002L;

    private Frames() {
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    /**
     * Puts {@code len} bytes of {@code frame} at the very end of the buffer's array, so that any
     * read past the frame throws instead of silently reading stale bytes.
     */
    static PacketBuffer atEnd(PacketBuffer p, byte[] frame, int len) {
        p.reset();
        p.offset = p.data.length - len;
        p.length = len;
        System.arraycopy(frame, 0, p.data, p.offset, len);
        return p;
    }

    static int dissect(PacketBuffer p, byte[] frame) {
        return FlowDissector.dissect(atEnd(p, frame, frame.length));
    }

    static String reason(int code) {
        return code < 0 ? "accepted" : DropReason.of(code).name();
    }

    /** A straightforward RFC 1071 sum, byte pair by byte pair: the reference the fast one is checked against. */
    static int naiveSum(byte[] b, int off, int len) {
        long s = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if (i < len) {
            s += (b[off + i] & 0xFF) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
