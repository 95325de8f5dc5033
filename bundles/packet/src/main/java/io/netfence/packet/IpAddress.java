package io.netfence.packet;

/**
 * An IPv4 or IPv6 address. IPv4 is kept in the low 32 bits of {@code lo} (with {@code hi} 0);
 * IPv6 is {@code hi:lo}, 64 bits each, network order. Immutable; control plane use.
 */
public record IpAddress(int version, long hi, long lo) implements Comparable<IpAddress> {
    public IpAddress {
        if (version != 4 && version != 6) {
            throw new IllegalArgumentException("IP version must be 4 or 6");
        }
        if (version == 4 && (hi != 0 || (lo & ~0xFFFF_FFFFL) != 0)) {
            throw new IllegalArgumentException("IPv4 address wider than 32 bits");
        }
    }

    public static IpAddress v4(int addr) {
        return new IpAddress(4, 0, addr & 0xFFFF_FFFFL);
    }

    public static IpAddress v6(long hi, long lo) {
        return new IpAddress(6, hi, lo);
    }

    public boolean isV4() {
        return version == 4;
    }

    /** The IPv4 address as an int (network order bits). */
    public int v4bits() {
        return (int) lo;
    }

    public int bitLength() {
        return version == 4 ? 32 : 128;
    }

    /** Parses dotted-quad IPv4 or RFC 4291/5952 IPv6 text (no zone id, no host names). */
    public static IpAddress parse(String text) {
        IpAddress a = tryParse(text);
        if (a == null) {
            throw new IllegalArgumentException("invalid IP address \"" + text + "\": expected a.b.c.d or an IPv6 address like 2001:db8::1");
        }
        return a;
    }

    /** Like {@link #parse} but returns null instead of throwing. */
    public static IpAddress tryParse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') >= 0) {
            long[] v6 = parseV6(text);
            return v6 == null ? null : v6(v6[0], v6[1]);
        }
        int v4 = parseV4(text);
        return v4 == -1 && !"255.255.255.255".equals(text) ? null : v4(v4);
    }

    /** Parses strict dotted-quad; returns -1 (which is also 255.255.255.255) on error: check the text. */
    private static int parseV4(String s) {
        int result = 0;
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (i <= n) {
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                if (v > 255 || i - start >= 3) {
                    return -1;
                }
                i++;
            }
            // A leading zero ("010") would be octal to inet_aton(3): refuse it, as inet_pton(3) does.
            if (i == start || (i - start > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            result = (result << 8) | v;
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
        return parts == 4 ? result : -1;
    }

    private static long[] parseV6(String s) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        int n = s.length();
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return new long[] {0, 0};
            }
        } else if (s.startsWith(":")) {
            return null;
        }
        while (i < n) {
            if (count == 8) {
                return null;
            }
            int start = i;
            int v = 0;
            while (i < n && hexDigit(s.charAt(i)) >= 0) {
                v = (v << 4) | hexDigit(s.charAt(i));
                i++;
                if (i - start > 4) {
                    return null;
                }
            }
            if (i < n && s.charAt(i) == '.') {
                // embedded IPv4 in the last 32 bits
                int v4 = parseV4(s.substring(start));
                if ((v4 == -1 && !s.substring(start).equals("255.255.255.255")) || count > 6) {
                    return null;
                }
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                i = n;
                break;
            }
            if (i == start) {
                return null;
            }
            groups[count++] = v;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
            } else if (i == n) {
                return null;
            }
        }
        if (gap < 0 && count != 8) {
            return null;
        }
        if (gap >= 0 && count == 8) {
            return null;
        }
        int[] full = new int[8];
        if (gap >= 0) {
            int tail = count - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        } else {
            full = groups;
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | full[g];
            lo = (lo << 16) | full[g + 4];
        }
        return new long[] {hi, lo};
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would also accept non-ASCII digits). */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    public static IpAddress readV4(byte[] b, int off) {
        return v4(Bytes.i32(b, off));
    }

    public static IpAddress readV6(byte[] b, int off) {
        return v6(Bytes.i64(b, off), Bytes.i64(b, off + 8));
    }

    public void write(byte[] b, int off) {
        if (version == 4) {
            Bytes.put32(b, off, (int) lo);
        } else {
            Bytes.put64(b, off, hi);
            Bytes.put64(b, off + 8, lo);
        }
    }

    /** This address with all bits after the first {@code len} cleared. */
    public IpAddress mask(int len) {
        if (len < 0 || len > bitLength()) {
            throw new IllegalArgumentException("prefix length " + len + " out of range 0-" + bitLength());
        }
        if (version == 4) {
            int m = len == 0 ? 0 : -1 << (32 - len);
            return v4((int) lo & m);
        }
        long mh = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        long ml = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return v6(hi & mh, lo & ml);
    }

    public boolean isLinkLocal() {
        return version == 6 ? (hi >>> 54) == 0x3FA : (lo & 0xFFFF0000L) == 0xA9FE0000L;
    }

    public boolean isMulticast() {
        return version == 6 ? (hi >>> 56) == 0xFF : (lo & 0xF0000000L) == 0xE0000000L;
    }

    @Override
    public int compareTo(IpAddress o) {
        if (version != o.version) {
            return Integer.compare(version, o.version);
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        if (version == 4) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        // RFC 5952: compress the longest run (length >= 2) of zero groups, the first on ties.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestLen = j - i;
                    bestStart = i;
                }
                i = j;
            } else {
                i++;
            }
        }
        // RFC 5952 section 5: IPv4-mapped addresses (::ffff:0:0/96) end in dotted-quad, as inet_ntop(3) prints them.
        if (hi == 0 && (lo >>> 32) == 0xFFFF) {
            return "::ffff:" + v4((int) lo);
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
