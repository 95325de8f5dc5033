package io.netfence.tc.syntax;

import java.util.Locale;

/**
 * Addresses as iproute2 reads and prints them: IPv4 (get_addr_ipv4: one to four parts, each a C
 * number up to 255), IPv6 (inet_pton, printed as inet_ntop does), prefixes {@code ADDR[/LEN]} with
 * an IPv4 dotted mask allowed when it is a prefix (get_netmask), MAC addresses (ll_addr_a2n) and
 * tc handles {@code MAJ:MIN} (get_tc_classid). Parse methods return null when the word is not of
 * the form, so callers can raise an error naming their keyword.
 */
final class Addresses {
    /** TC_H_ROOT: the classid {@code root}. */
    static final long CLASSID_ROOT = 0xFFFF_FFFFL;

    private Addresses() {
    }

    /** A parsed address or prefix: IPv4 in the low 32 bits of {@code lo}, IPv6 in hi/lo. */
    record Prefix(boolean ipv6, long hi, long lo, int length) {
        long maskHi() {
            if (!ipv6) {
                return 0;
            }
            return length >= 64 ? -1L : length == 0 ? 0 : -1L << (64 - length);
        }

        long maskLo() {
            if (!ipv6) {
                return length == 0 ? 0 : (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
            }
            return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
        }
    }

    /** An IPv4 address as a 32-bit value, or -1. */
    static long ipv4(String word) {
        String[] parts = word.split("\\.", -1);
        if (parts.length < 1 || parts.length > 4) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < 4; i++) {
            long part = 0;
            if (i < parts.length) {
                part = Words.parseUnsigned(parts[i], 0);
                if (part < 0 || part > 255) {
                    return -1;
                }
            }
            value = value << 8 | part;
        }
        return value;
    }

    /** An IPv6 address as {hi, lo}, or null. */
    static long[] ipv6(String word) {
        if (word.isEmpty() || word.indexOf(':') < 0) {
            return null;
        }
        int[] groups = new int[8];
        String head = word;
        String tail = "";
        int gap = word.indexOf("::");
        if (gap >= 0) {
            if (word.indexOf("::", gap + 1) >= 0) {
                return null;
            }
            head = word.substring(0, gap);
            tail = word.substring(gap + 2);
        }
        // Only the last group of the whole address may be a dotted IPv4 address.
        int[] front = groups(head, gap < 0);
        int[] back = groups(tail, true);
        if (front == null || back == null) {
            return null;
        }
        if (gap < 0) {
            if (front.length != 8) {
                return null;
            }
            System.arraycopy(front, 0, groups, 0, 8);
        } else {
            if (front.length + back.length > 7) {
                return null;
            }
            System.arraycopy(front, 0, groups, 0, front.length);
            System.arraycopy(back, 0, groups, 8 - back.length, back.length);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = hi << 16 | groups[i];
            lo = lo << 16 | groups[i + 4];
        }
        return new long[] {hi, lo};
    }

    /** The 16-bit groups of one side of "::" (a trailing dotted IPv4 counts as two); null if malformed. */
    private static int[] groups(String text, boolean allowIpv4Tail) {
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] parts = text.split(":", -1);
        int count = parts.length;
        String last = parts[parts.length - 1];
        boolean ipv4Tail = allowIpv4Tail && last.indexOf('.') >= 0;
        int[] out = new int[ipv4Tail ? count + 1 : count];
        for (int i = 0; i < count; i++) {
            String part = parts[i];
            if (i == count - 1 && ipv4Tail) {
                String[] octets = part.split("\\.", -1);
                if (octets.length != 4) {
                    return null;
                }
                long v = 0;
                for (String octet : octets) {
                    if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
                        return null;
                    }
                    int b = Integer.parseInt(octet);
                    if (b > 255) {
                        return null;
                    }
                    v = v << 8 | b;
                }
                out[i] = (int) (v >>> 16);
                out[i + 1] = (int) (v & 0xFFFF);
            } else {
                if (part.isEmpty() || part.length() > 4) {
                    return null;
                }
                int v = 0;
                for (int j = 0; j < part.length(); j++) {
                    int d = Character.digit(part.charAt(j), 16);
                    if (d < 0) {
                        return null;
                    }
                    v = v << 4 | d;
                }
                out[i] = v;
            }
        }
        return out;
    }

    /**
     * {@code ADDR[/LEN]} of the given family ({@code 4}, {@code 6}, or {@code 0}: whichever the
     * address is; an address with ':' is IPv6). LEN is a C number up to the address width, or for
     * IPv4 a dotted mask that is a prefix. Without LEN the prefix is a host. Null if malformed.
     */
    static Prefix prefix(String word, int family) {
        int slash = word.indexOf('/');
        String address = slash < 0 ? word : word.substring(0, slash);
        boolean v6 = address.indexOf(':') >= 0;
        if ((family == 4 && v6) || (family == 6 && !v6)) {
            return null;
        }
        long hi = 0;
        long lo;
        if (v6) {
            long[] a = ipv6(address);
            if (a == null) {
                return null;
            }
            hi = a[0];
            lo = a[1];
        } else {
            lo = ipv4(address);
            if (lo < 0) {
                return null;
            }
        }
        int max = v6 ? 128 : 32;
        int length = max;
        if (slash >= 0) {
            String len = word.substring(slash + 1);
            long n = Words.parseUnsigned(len, 0);
            if (n < 0 && !v6 && len.indexOf('.') >= 0) {
                long mask = ipv4(len);
                n = mask < 0 ? -1 : prefixLength32(mask);
            }
            if (n < 0 || n > max) {
                return null;
            }
            length = (int) n;
        }
        return new Prefix(v6, hi, lo, length);
    }

    /** The prefix length of a 32-bit mask, or -1 when it has holes. */
    static int prefixLength32(long mask) {
        int m = (int) mask;
        int len = Integer.bitCount(m);
        if (len == 0) {
            return 0;
        }
        return m == -1 << (32 - len) ? len : -1;
    }

    static String formatIpv4(long value) {
        return ((value >>> 24) & 0xFF) + "." + ((value >>> 16) & 0xFF) + "." + ((value >>> 8) & 0xFF) + "." + (value & 0xFF);
    }

    /** As glibc inet_ntop prints it: the longest run of two or more zero groups as "::", IPv4-mapped as dotted. */
    static String formatIpv6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xFFFF);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        if (bestLength < 2) {
            bestStart = -1;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            if (i == 6 && bestStart == 0 && (bestLength == 6 || (bestLength == 5 && g[5] == 0xFFFF))) {
                out.append(formatIpv4(lo & 0xFFFF_FFFFL));
                break;
            }
            out.append(Integer.toHexString(g[i]));
            if (i < 7) {
                out.append(':');
            }
        }
        return out.toString();
    }

    /** A 48-bit MAC address ({@code aa:bb:cc:dd:ee:ff}, one or two hex digits a part), or -1. */
    static long mac(String word) {
        String[] parts = word.split(":", -1);
        if (parts.length != 6) {
            return -1;
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                return -1;
            }
            long b = Words.parseUnsigned(part, 16);
            if (b < 0) {
                return -1;
            }
            value = value << 8 | b;
        }
        return value;
    }

    static String formatMac(long value) {
        StringBuilder out = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            out.append(String.format(Locale.ROOT, "%02x", (value >>> shift) & 0xFF));
            if (shift > 0) {
                out.append(':');
            }
        }
        return out.toString();
    }

    /** A tc handle {@code MAJ:MIN} (hex), {@code :MIN}, {@code MAJ:}, a bare hex number, {@code root} or {@code none}; -1 if none of those. */
    static long classid(String word) {
        if (word.equals("root")) {
            return CLASSID_ROOT;
        }
        if (word.equals("none")) {
            return 0;
        }
        int colon = word.indexOf(':');
        if (colon < 0) {
            long v = Words.parseUnsigned(word, 16);
            return v > 0xFFFF_FFFFL ? -1 : v;
        }
        String major = word.substring(0, colon);
        String minor = word.substring(colon + 1);
        long maj = major.isEmpty() ? 0 : Words.parseUnsigned(major, 16);
        long min = minor.isEmpty() ? 0 : Words.parseUnsigned(minor, 16);
        if (maj < 0 || maj > 0xFFFF || min < 0 || min > 0xFFFF) {
            return -1;
        }
        return maj << 16 | min;
    }

    /** As print_tc_classid prints it: {@code root}, {@code none}, {@code :MIN}, {@code MAJ:} or {@code MAJ:MIN}. */
    static String formatClassid(long h) {
        long major = h >>> 16;
        long minor = h & 0xFFFF;
        if (h == CLASSID_ROOT) {
            return "root";
        }
        if (h == 0) {
            return "none";
        }
        if (major == 0) {
            return ":" + Long.toHexString(minor);
        }
        if (minor == 0) {
            return Long.toHexString(major) + ":";
        }
        return Long.toHexString(major) + ":" + Long.toHexString(minor);
    }
}
