package io.netfence.net.spi;

import io.netfence.packet.MacAddress;
import java.util.List;

/** What a driver is given to open a device: the link's name, MTU, MAC, queue count and the words after the type. */
public record PortSpec(String name, int mtu, MacAddress mac, int rxQueues, List<String> args) {
    public PortSpec {
        args = List.copyOf(args);
    }
}
