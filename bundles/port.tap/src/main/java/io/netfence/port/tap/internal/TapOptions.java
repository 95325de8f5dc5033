package io.netfence.port.tap.internal;

import io.netfence.net.spi.DriverArgs;
import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortSpec;
import java.util.Set;

/** The parsed words of {@code ip link add NAME type tap [ifname KERNELNAME]}. */
final class TapOptions {
    static final String USAGE = "tap [ifname KERNELNAME]";
    private static final Set<String> KEYWORDS = Set.of("ifname");
    private static final String NAME_FORM = "a kernel interface name of 1-15 characters without '/', ':', '%' or spaces";

    private TapOptions() {
    }

    /** The kernel interface name to create: {@code ifname}, else the link's own name. Opens nothing. */
    static String kernelName(PortSpec spec) {
        DriverArgs walker = new DriverArgs(USAGE, spec.args());
        String ifname = null;
        while (walker.hasNext()) {
            String keyword = walker.keyword(KEYWORDS);
            ifname = walker.value(keyword, "KERNELNAME");
            if (!validKernelName(ifname)) {
                throw DriverArgs.refuse(keyword, ifname, NAME_FORM);
            }
        }
        if (ifname != null) {
            return ifname;
        }
        String name = spec.name();
        if (name == null || !validKernelName(name)) {
            throw new NetException("name \"" + name + "\" cannot name the kernel interface: expected " + NAME_FORM
                    + ", or give one with ifname KERNELNAME");
        }
        return name;
    }

    /** Linux's dev_valid_name, minus '%' (a kernel-numbered name would not be the one we asked for). */
    static boolean validKernelName(String name) {
        if (name.isEmpty() || name.length() >= LinuxNative.IFNAMSIZ || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == '/' || c == ':' || c == '%') {
                return false;
            }
        }
        return true;
    }
}
