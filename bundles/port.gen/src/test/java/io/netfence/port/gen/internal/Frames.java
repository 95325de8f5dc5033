package io.netfence.port.gen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;

/** Independent checks of generated frames: header fields and checksums computed from scratch. */
final class Frames {
    private Frames() {
    }

    static int u16(byte[] f, int off) {
        return ((f[off] & 0xFF) << 8) | (f[off + 1] & 0xFF);
    }

    static int i32(byte[] f, int off) {
        return ByteBuffer.wrap(f, off, 4).getInt();
    }

    /** Offset of the IPv4 header (after an optional 802.1Q tag). */
    static int ipOffset(byte[] f) {
        return u16(f, 12) == 0x8100 ? 18 : 14;
    }

    /** The RFC 1071 sum over {@code f[off, off+len)} plus {@code initial}, folded: 0xFFFF when a checksum inside verifies. */
    static int onesComplementSum(byte[] f, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += u16(f, off + i);
        }
        if (len % 2 == 1) {
            s += (f[off + len - 1] & 0xFF) << 8;
        }
        while (s > 0xFFFF) {
            s = (s & 0xFFFF) + (s >> 16);
        }
        return (int) s;
    }

    /** Asserts a well-formed IPv4 frame filling the whole buffer, with valid IPv4 and UDP/TCP/ICMP checksums. */
    static void assertValidIpv4(byte[] f) {
        int ip = ipOffset(f);
        assertEquals(0x0800, u16(f, ip - 2), "IPv4 ethertype");
        assertEquals(0x45, f[ip] & 0xFF, "version 4, 20-byte header");
        int total = u16(f, ip + 2);
        assertEquals(f.length - ip, total, "total length covers the rest of the frame");
        assertEquals(0xFFFF, onesComplementSum(f, ip, 20, 0), "IPv4 header checksum");
        int protocol = f[ip + 9] & 0xFF;
        int l4 = ip + 20;
        int l4Length = total - 20;
        long pseudo = (i32(f, ip + 12) >>> 16) + (i32(f, ip + 12) & 0xFFFF) + (i32(f, ip + 16) >>> 16) + (i32(f, ip + 16) & 0xFFFF)
                + protocol + l4Length;
        switch (protocol) {
            case 17 -> {
                assertEquals(l4Length, u16(f, l4 + 4), "UDP length");
                assertNotEquals(0, u16(f, l4 + 6), "UDP checksum present");
                assertEquals(0xFFFF, onesComplementSum(f, l4, l4Length, pseudo), "UDP checksum");
            }
            case 6 -> {
                assertEquals(0x50, f[l4 + 12] & 0xFF, "TCP data offset 5 words");
                assertEquals(0xFFFF, onesComplementSum(f, l4, l4Length, pseudo), "TCP checksum");
            }
            case 1 -> {
                assertEquals(8, f[l4] & 0xFF, "ICMP echo request");
                assertEquals(0xFFFF, onesComplementSum(f, l4, l4Length, 0), "ICMP checksum");
            }
            default -> throw new AssertionError("unexpected protocol " + protocol);
        }
    }
}
