package io.netfence.net.internal;

import io.netfence.packet.IpAddress;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBuilder;
import org.junit.jupiter.api.BeforeEach;

/**
 * The dataplane between two hosts, on real worker threads:
 * H0 (10.0.0.2, 2001:db8::2) -- eth0 (10.0.0.1/24, 2001:db8::1/64) [appliance]
 * eth1 (10.1.0.1/24, 2001:db8:1::1/64) -- H1 (10.1.0.2).
 */
abstract class TwoHostFixture extends DataplaneFixture {
    static final long MAC0 = 0x02_00_00_00_00_10L;
    static final long MAC1 = 0x02_00_00_00_00_11L;
    static final long H0 = 0x02_00_00_00_01_00L;
    static final long H1 = 0x02_00_00_00_01_01L;
    static final int IP_ETH0 = 0x0A00_0001;
    static final int IP_H0 = 0x0A00_0002;
    static final int IP_H1 = 0x0A01_0002;

    QueueDriver.QueueDevice eth0;
    QueueDriver.QueueDevice eth1;

    @BeforeEach
    void topology() {
        eth0 = link("eth0", MAC0, "10.0.0.1/24", "2001:db8::1/64");
        eth1 = link("eth1", MAC1, "10.1.0.1/24", "2001:db8:1::1/64");
    }

    /** Both hosts' IPv4 addresses as static neighbours (nothing to resolve). */
    void staticNeighbours() {
        net.addNeighbour("eth0", IpAddress.parse("10.0.0.2"), new MacAddress(H0));
        net.addNeighbour("eth1", IpAddress.parse("10.1.0.2"), new MacAddress(H1));
    }

    static PacketBuilder fromH0() {
        return PacketBuilder.ethernet(MAC0, H0);
    }
}
