package io.netfence.net.internal;

import io.netfence.packet.Bytes;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * IP fragmentation and reassembly for tests, written from RFC 791 and RFC 8200 and sharing no
 * code with the dataplane's, so each checks the other. Frames are untagged Ethernet.
 */
final class Fragments {
    static final int ETH = 14;

    private Fragments() {
    }

    /** Splits an IPv4 frame into fragments of at most {@code mtu} bytes of IP; every option is copied into each. */
    static List<byte[]> ipv4(byte[] frame, int mtu) {
        int ihl = (frame[ETH] & 0x0F) * 4;
        int total = Bytes.u16(frame, ETH + 2);
        int dataLen = total - ihl;
        int piece = (mtu - ihl) & ~7;
        List<byte[]> out = new ArrayList<>();
        for (int pos = 0; pos < dataLen; pos += piece) {
            int len = Math.min(piece, dataLen - pos);
            byte[] f = new byte[ETH + ihl + len];
            System.arraycopy(frame, 0, f, 0, ETH + ihl);
            System.arraycopy(frame, ETH + ihl + pos, f, ETH + ihl, len);
            Bytes.put16(f, ETH + 2, ihl + len);
            Bytes.put16(f, ETH + 6, (pos + len < dataLen ? Ipv4.FLAG_MF : 0) | (pos >>> 3));
            Ipv4.setChecksum(f, ETH);
            out.add(f);
        }
        return out;
    }

    /** Splits an IPv6 frame without extension headers into fragments of at most {@code mtu} bytes of IP. */
    static List<byte[]> ipv6(byte[] frame, int mtu, int id) {
        int dataLen = Bytes.u16(frame, ETH + 4);
        int nextHeader = frame[ETH + 6] & 0xFF;
        int piece = (mtu - Ipv6.HEADER_LEN - 8) & ~7;
        List<byte[]> out = new ArrayList<>();
        for (int pos = 0; pos < dataLen; pos += piece) {
            int len = Math.min(piece, dataLen - pos);
            byte[] f = new byte[ETH + Ipv6.HEADER_LEN + 8 + len];
            System.arraycopy(frame, 0, f, 0, ETH + Ipv6.HEADER_LEN);
            f[ETH + 6] = (byte) Ipv6.FRAGMENT;
            Bytes.put16(f, ETH + 4, 8 + len);
            int fh = ETH + Ipv6.HEADER_LEN;
            f[fh] = (byte) nextHeader;
            Bytes.put16(f, fh + 2, pos | (pos + len < dataLen ? 1 : 0));
            Bytes.put32(f, fh + 4, id);
            System.arraycopy(frame, ETH + Ipv6.HEADER_LEN + pos, f, fh + 8, len);
            out.add(f);
        }
        return out;
    }

    /**
     * Puts the fragments of one datagram back together (IPv4, or IPv6 with the fragment header
     * right after the fixed header), failing on a hole, an overlap or a missing end. The frame
     * keeps the Ethernet header of the first fragment.
     */
    static byte[] reassemble(List<byte[]> frames) {
        boolean v6 = (frames.getFirst()[ETH] >>> 4 & 0xF) == 6;
        List<byte[]> sorted = new ArrayList<>(frames);
        sorted.sort(Comparator.comparingInt(f -> offset(f, v6)));
        int expect = 0;
        byte[] data = new byte[0x1_0000 + 100];
        boolean last = false;
        for (byte[] f : sorted) {
            int off = offset(f, v6);
            if (off != expect || last) {
                throw new AssertionError("fragment at " + off + " where " + expect + " was expected (hole, overlap or data after the last)");
            }
            int start = dataStart(f, v6);
            int len = ipEnd(f, v6) - start;
            System.arraycopy(f, start, data, off, len);
            expect = off + len;
            last = !more(f, v6);
        }
        if (!last) {
            throw new AssertionError("no last fragment");
        }
        byte[] first = sorted.getFirst();
        int headers = v6 ? ETH + Ipv6.HEADER_LEN : dataStart(first, false);
        byte[] out = new byte[headers + expect];
        System.arraycopy(first, 0, out, 0, headers);
        System.arraycopy(data, 0, out, headers, expect);
        if (v6) {
            out[ETH + 6] = first[ETH + Ipv6.HEADER_LEN];
            Bytes.put16(out, ETH + 4, expect);
        } else {
            Bytes.put16(out, ETH + 2, headers - ETH + expect);
            Bytes.put16(out, ETH + 6, Bytes.u16(first, ETH + 6) & Ipv4.FLAG_DF);
            Ipv4.setChecksum(out, ETH);
        }
        return out;
    }

    static int offset(byte[] f, boolean v6) {
        return v6 ? Bytes.u16(f, ETH + Ipv6.HEADER_LEN + 2) & 0xFFF8 : (Bytes.u16(f, ETH + 6) & Ipv4.FRAGMENT_OFFSET_MASK) << 3;
    }

    static boolean more(byte[] f, boolean v6) {
        return v6 ? (f[ETH + Ipv6.HEADER_LEN + 3] & 1) != 0 : (Bytes.u16(f, ETH + 6) & Ipv4.FLAG_MF) != 0;
    }

    private static int dataStart(byte[] f, boolean v6) {
        if (v6) {
            if ((f[ETH + 6] & 0xFF) != Ipv6.FRAGMENT) {
                throw new AssertionError("not an IPv6 fragment with the fragment header first");
            }
            return ETH + Ipv6.HEADER_LEN + 8;
        }
        return ETH + (f[ETH] & 0x0F) * 4;
    }

    private static int ipEnd(byte[] f, boolean v6) {
        return v6 ? ETH + Ipv6.HEADER_LEN + Bytes.u16(f, ETH + 4) : ETH + Bytes.u16(f, ETH + 2);
    }
}
