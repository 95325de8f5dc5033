package io.netfence.packet;

/** An address with a prefix length, as in {@code 10.0.0.0/8} or {@code 2001:db8::/32}. */
public record IpPrefix(IpAddress address, int length) {
    public IpPrefix {
        if (length < 0 || length > address.bitLength()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0-" + address.bitLength());
        }
    }

    /**
     * Parses {@code ADDR/LEN} or a bare address (a host prefix). {@code default} means 0.0.0.0/0;
     * iproute2 also accepts {@code all} and {@code any} there.
     */
    public static IpPrefix parse(String text) {
        return parse(text, 4);
    }

    /** Like {@link #parse(String)}; {@code defaultVersion} says what "default" means. */
    public static IpPrefix parse(String text, int defaultVersion) {
        if (text.equals("default") || text.equals("all") || text.equals("any")) {
            return defaultVersion == 6 ? new IpPrefix(IpAddress.v6(0, 0), 0) : new IpPrefix(IpAddress.v4(0), 0);
        }
        int slash = text.indexOf('/');
        IpAddress a = IpAddress.tryParse(slash < 0 ? text : text.substring(0, slash));
        if (a == null) {
            throw new IllegalArgumentException("invalid prefix \"" + text + "\": expected ADDRESS[/LENGTH] like 10.0.0.0/8 or 2001:db8::/32");
        }
        if (slash < 0) {
            return new IpPrefix(a, a.bitLength());
        }
        // Plain ASCII decimal only: Integer.parseInt would also take "+8" and non-ASCII digits.
        String digits = text.substring(slash + 1);
        int len = digits.isEmpty() ? -1 : 0;
        for (int i = 0; i < digits.length() && len >= 0; i++) {
            char c = digits.charAt(i);
            len = c >= '0' && c <= '9' && len <= 128 ? len * 10 + (c - '0') : -1;
        }
        if (len < 0 || len > a.bitLength()) {
            throw new IllegalArgumentException("invalid prefix length in \"" + text + "\": expected 0-" + a.bitLength());
        }
        return new IpPrefix(a, len);
    }

    /** The network: the address with its host bits cleared. */
    public IpPrefix network() {
        return new IpPrefix(address.mask(length), length);
    }

    public boolean contains(IpAddress a) {
        return a.version() == address.version() && a.mask(length).equals(address.mask(length));
    }

    public int version() {
        return address.version();
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
