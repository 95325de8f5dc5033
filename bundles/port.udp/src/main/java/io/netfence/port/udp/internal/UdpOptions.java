package io.netfence.port.udp.internal;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.DriverArgs;
import io.netfence.packet.IpAddress;
import java.util.List;
import java.util.Set;

/**
 * The parsed words of {@code ip link add NAME type udp local ADDR [port PORT]}.
 *
 * @param local the address the socket is bound to: one of this host's unicast addresses
 * @param port the UDP port, 0 to let the kernel choose one
 */
record UdpOptions(IpAddress local, int port) {
    static final String USAGE = "udp local ADDR [port PORT]";
    /** RFC 3948: ESP in UDP and IKE share port 4500. */
    static final int DEFAULT_PORT = 4500;
    private static final Set<String> KEYWORDS = Set.of("local", "port");
    private static final String ADDRESS_FORM = "a unicast IPv4 or IPv6 address of this host, like 192.0.2.1 or 2001:db8::1";

    /** Parses and checks the arguments without opening anything. */
    static UdpOptions parse(List<String> args) {
        DriverArgs walker = new DriverArgs(USAGE, args);
        IpAddress local = null;
        int port = DEFAULT_PORT;
        while (walker.hasNext()) {
            String keyword = walker.keyword(KEYWORDS);
            switch (keyword) {
                case "local" -> local = address(keyword, walker.value(keyword, "ADDR"));
                case "port" -> port = (int) DriverArgs.number(keyword, walker.value(keyword, "PORT"), 0, 65535, false,
                        "a UDP port 0-65535 (0 lets the kernel choose)");
                default -> throw new IllegalStateException(keyword);
            }
        }
        if (local == null) {
            throw new NetException("udp needs the address to bind: expected " + USAGE);
        }
        return new UdpOptions(local, port);
    }

    private static IpAddress address(String keyword, String value) {
        IpAddress a = IpAddress.tryParse(value);
        if (a == null) {
            throw DriverArgs.refuse(keyword, value, ADDRESS_FORM);
        }
        if (a.hi() == 0 && a.lo() == 0) {
            throw DriverArgs.refuse(keyword, value, ADDRESS_FORM + " (not the wildcard: received frames need a destination)");
        }
        if (a.isMulticast() || (a.isV4() && a.v4bits() == -1)) {
            throw DriverArgs.refuse(keyword, value, ADDRESS_FORM + " (not multicast or broadcast)");
        }
        if (!a.isV4() && a.hi() == 0 && (a.lo() >>> 32) == 0xFFFF) {
            throw DriverArgs.refuse(keyword, value, "the IPv4 address itself, not IPv4-mapped");
        }
        if (!a.isV4() && a.isLinkLocal()) {
            throw DriverArgs.refuse(keyword, value, "a global or unique-local IPv6 address (a link-local one would need an interface scope)");
        }
        return a;
    }

    boolean v6() {
        return !local.isV4();
    }

    /** True for 127.0.0.0/8 and ::1, which the dataplane drops as martians. */
    boolean loopback() {
        return local.isV4() ? (local.v4bits() >>> 24) == 127 : local.hi() == 0 && local.lo() == 1;
    }
}
