package io.netfence.net.api;

import io.netfence.packet.MacAddress;
import java.util.List;

/**
 * A request to create a link: {@code ip link add NAME [mtu N] [address MAC] [numrxqueues N] type TYPE ARGS...}.
 * {@code driverArgs} are the words after the type, handed to the driver to validate.
 * Null / 0 fields take the defaults (MTU 1500, a random local MAC, one RX queue).
 */
public record LinkSpec(String name, String type, int mtu, MacAddress mac, int rxQueues, List<String> driverArgs) {
    public LinkSpec {
        driverArgs = List.copyOf(driverArgs);
    }
}
