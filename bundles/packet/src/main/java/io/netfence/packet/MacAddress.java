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

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' separators). */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("invalid MAC address \"" + text + "\": expected six hex octets like 02:00:00:00:00:01");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new IllegalArgumentException("invalid MAC address \"" + text + "\": expected six hex octets like 02:00:00:00:00:01");
            }
            int o;
            try {
                o = Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid MAC address \"" + text + "\": expected six hex octets like 02:00:00:00:00:01");
            }
            v = (v << 8) | o;
        }
        return new MacAddress(v);
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
