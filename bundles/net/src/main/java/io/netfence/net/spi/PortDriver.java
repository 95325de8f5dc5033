package io.netfence.net.spi;

import io.netfence.net.api.NetException;

/**
 * A link type: creates devices for {@code ip link add NAME type TYPE ARGS...}. Registered as an OSGi
 * service; the service property {@value #TYPE_PROPERTY} must equal {@link #type()}. When a driver's
 * service goes away, its links stay configured but go operationally down until it returns.
 */
public interface PortDriver {
    String TYPE_PROPERTY = "netfence.link.type";

    /** The word after {@code type}, e.g. "tap". */
    String type();

    /** The accepted arguments in iproute2 man-page notation, e.g. "rx FILE tx FILE [loop COUNT]". */
    String usage();

    /**
     * Validates the arguments without opening anything: throws {@link NetException} naming the bad
     * word and the accepted form. Called before any configuration changes.
     */
    void validate(PortSpec spec);

    /**
     * Opens the device. May touch the outside world (files, /dev/net/tun); a failure throws
     * {@link NetException} with one clear sentence and leaves nothing open.
     */
    PortDevice open(PortSpec spec);
}
