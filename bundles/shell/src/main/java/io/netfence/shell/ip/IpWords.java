package io.netfence.shell.ip;

import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.shell.text.CommandException;

/** Parsing of the values iproute2 commands take: prefixes, addresses, MACs, device names. */
final class IpWords {
    static final String PREFIX_FORM = "PREFIX like 10.0.0.1/24, 2001:db8::1/64 or default";
    static final String ADDRESS_FORM = "an address like 10.0.0.1 or 2001:db8::1";
    static final String MAC_FORM = "six hex octets like 02:00:00:00:00:01";

    private IpWords() {
    }

    /**
     * A prefix; "default", "all" and "any" are the zero-length prefix of {@code family}
     * (4 when 0). A family other than 0 must match.
     */
    static IpPrefix prefix(String word, int family) {
        return prefix(word, family, family);
    }

    /**
     * Like {@link #prefix(String, int)}, with "default" meaning the zero-length prefix of
     * {@code defaultFamily} (known from a gateway, say) while only {@code family} is enforced.
     */
    static IpPrefix prefix(String word, int family, int defaultFamily) {
        IpPrefix p;
        try {
            p = IpPrefix.parse(word, defaultFamily == 6 ? 6 : 4);
        } catch (IllegalArgumentException e) {
            throw CommandException.badArgument(word, "expected " + PREFIX_FORM);
        }
        checkFamily(word, p.version(), family, "prefix");
        return p;
    }

    static IpAddress address(String word, int family) {
        IpAddress a = IpAddress.tryParse(word);
        if (a == null) {
            throw CommandException.badArgument(word, "expected " + ADDRESS_FORM);
        }
        checkFamily(word, a.version(), family, "address");
        return a;
    }

    /** A neighbour address: a bare address, or one written as a full-length prefix (10.0.0.2/32). */
    static IpAddress hostAddress(String word, int family) {
        int slash = word.indexOf('/');
        if (slash < 0) {
            return address(word, family);
        }
        IpPrefix p = prefix(word, family);
        if (p.length() != p.address().bitLength()) {
            throw CommandException.badArgument(word, "expected a single address (/" + p.address().bitLength()
                    + "), not a network");
        }
        return p.address();
    }

    static void checkFamily(String word, int version, int family, String what) {
        if (family != 0 && version != family) {
            throw CommandException.badArgument(word, "expected an " + IpOptions.familyName(family) + " " + what
                    + " (option -" + family + " is in effect)");
        }
    }

    static MacAddress mac(String word, String keyword) {
        try {
            return MacAddress.parse(word);
        } catch (IllegalArgumentException e) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects " + MAC_FORM);
        }
    }

    /** A MAC a link can own: not multicast (that includes broadcast), not all zero. */
    static MacAddress unicastMac(String word, String keyword) {
        MacAddress mac = mac(word, keyword);
        if (mac.isMulticast() || mac.equals(MacAddress.ZERO)) {
            throw CommandException.badArgument(word, "\"" + keyword + "\" expects a unicast address, "
                    + MAC_FORM + " (the first octet even, not all zero)");
        }
        return mac;
    }

    /** A device name as Linux accepts it: 1-15 characters, no '/', ':' or blanks, not "." or "..". */
    static String deviceName(String word) {
        boolean valid = !word.isEmpty() && word.length() <= 15 && !word.equals(".") && !word.equals("..");
        for (int i = 0; valid && i < word.length(); i++) {
            char c = word.charAt(i);
            valid = c > ' ' && c != '/' && c != ':' && c < 0x7f;
        }
        if (!valid) {
            throw CommandException.badArgument(word, "expected a device name of 1-15 printable characters"
                    + " without '/', ':' or blanks");
        }
        return word;
    }
}
