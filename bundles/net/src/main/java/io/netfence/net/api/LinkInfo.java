package io.netfence.net.api;

import io.netfence.packet.MacAddress;
import java.util.Map;

/**
 * A snapshot of one link. {@code index} is the ifindex (stable for the link's life, never reused
 * while the appliance runs); {@code operUp} is true when the link is administratively up and
 * its driver is attached; {@code details} are driver facts for {@code ip -d link} (file names,
 * tap device name, generator rate...).
 */
public record LinkInfo(int index, String name, String type, int mtu, MacAddress mac, boolean adminUp,
                       boolean operUp, int rxQueues, Map<String, String> details, LinkStats stats) {
    public LinkInfo {
        details = Map.copyOf(details);
    }
}
