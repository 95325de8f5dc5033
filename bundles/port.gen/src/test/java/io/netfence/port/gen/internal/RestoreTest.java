package io.netfence.port.gen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.LinkStats;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteType;
import io.netfence.net.internal.ControlPlane;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.helpers.NOPLogger;

/**
 * A saved generator and its sink, both up, restored as the appliance restores them: the dataplane
 * first, then the drivers one by one (gen before sink). The generator must not send before the
 * route to the sink exists: every frame reaches the sink, none is dropped as link_down.
 */
class RestoreTest {
    @TempDir
    Path dir;

    @Test
    void aRestoredGeneratorLosesNothingToLinksNotUpYet() throws Exception {
        Path file = dir.resolve("dataplane.conf");
        ControlPlane first = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        first.addDriver(new GenDriver());
        first.addDriver(new SinkDriver());
        first.persistTo(file);
        first.start();
        // configured down first; saved up, as an operator leaves it
        first.addLink(new LinkSpec("g0", "gen", 0, null, 1,
                List.of("src", "198.18.0.2", "dst", "198.19.128.1", "count", "500", "rate", "100000")));
        first.addLink(new LinkSpec("k0", "sink", 0, null, 1, List.of()));
        first.addAddress("g0", IpPrefix.parse("198.18.0.1/24"));
        first.addAddress("k0", IpPrefix.parse("198.19.0.1/24"));
        first.addNeighbour("k0", IpAddress.parse("198.19.0.2"), MacAddress.parse("02:00:c6:13:00:02"));
        first.addRoute(new Route(RouteType.UNICAST, IpPrefix.parse("198.19.128.0/17"), IpAddress.parse("198.19.0.2"), "k0",
                0, null, "static"));
        first.setLink("k0", new LinkChange(true, null, null));
        first.setLink("g0", new LinkChange(true, null, null));
        first.stop();

        ControlPlane second = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        second.persistTo(file);
        second.start();
        try {
            second.addDriver(new GenDriver());
            Thread.sleep(100); // time enough for a generator that is up to send
            second.addDriver(new SinkDriver());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (second.link("k0").stats().txPackets() < 500 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            LinkStats gen = second.link("g0").stats();
            assertEquals(java.util.Map.of(), gen.dropReasons(), "drops on g0");
            assertEquals(500, gen.rxPackets());
            assertEquals(500, second.link("k0").stats().txPackets());
            assertTrue(second.link("g0").operUp() && second.link("k0").operUp());
        } finally {
            second.stop();
        }
    }
}
