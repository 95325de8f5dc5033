package io.netfence.packet;

/** A 48-bit Ethernet address held in the low bits of a long. Immutable; control plane use. */
public record MacAddress(long bits) {
    public static final MacAddress ZERO = new MacAddress(0);
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits");
        }
    }

    /**
     * Parses six octets of one or two hex digits separated by ':' (or all by '-'), e.g.
     * {@code 02:00:00:00:00:01}.
     */
    public static MacAddress parse(String text) {
        long v = 0;
        int octets = 0;
        int i = 0;
        int n = text.length();
        char sep = 0;
        while (octets < 6) {
            int start = i;
            int o = 0;
            while (i < n && i - start < 2 && IpAddress.hexDigit(text.charAt(i)) >= 0) {
                o = (o << 4) | IpAddress.hexDigit(text.charAt(i));
                i++;
            }
            if (i == start) {
                throw badMac(text);
            }
            v = (v << 8) | o;
            octets++;
            if (octets < 6) {
                if (i >= n || (text.charAt(i) != ':' && text.charAt(i) != '-') || (sep != 0 && text.charAt(i) != sep)) {
                    throw badMac(text);
                }
                sep = text.charAt(i);
                i++;
            }
        }
        if (i != n) {
            throw badMac(text);
        }
        return new MacAddress(v);
    }

    private static IllegalArgumentException badMac(String text) {
        return new IllegalArgumentException("invalid MAC address \"" + text + "\": expected six hex octets like 02:00:00:00:00:01");
    }

    public static MacAddress read(byte[] b, int off) {
        return new MacAddress(Bytes.getMac(b, off));
    }

    public void write(byte[] b, int off) {
        Bytes.putMac(b, off, bits);
    }

    public boolean isMulticast() {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    /** A locally administered unicast address: 02:xx:xx:xx:xx:xx from 40 random bits. */
    public static MacAddress randomLocal(java.util.random.RandomGenerator rnd) {
        return new MacAddress(0x0200_0000_0000L | (rnd.nextLong() & 0xFF_FFFF_FFFFL));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int o = (int) (bits >>> (i * 8)) & 0xFF;
            sb.append(Character.forDigit(o >> 4, 16)).append(Character.forDigit(o & 15, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
