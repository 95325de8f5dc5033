package io.netfence.net.internal;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.LinkStats;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.slf4j.helpers.NOPLogger;

/** A running control plane with one worker and the queue link type, torn down after each test. */
abstract class DataplaneFixture {
    ControlPlane net;
    QueueDriver driver;

    @BeforeEach
    void startDataplane() {
        net = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        driver = new QueueDriver();
        net.addDriver(driver);
        net.start();
    }

    @AfterEach
    void stopDataplane() {
        net.stop();
    }

    /** A queue link with a fixed MAC and the given addresses, up. */
    QueueDriver.QueueDevice link(String name, long mac, String... addresses) {
        net.addLink(new LinkSpec(name, QueueDriver.TYPE, 0, new MacAddress(mac), 0, List.of()));
        for (String a : addresses) {
            net.addAddress(name, IpPrefix.parse(a));
        }
        net.setLink(name, new LinkChange(true, null, null));
        return driver.devices.get(name);
    }

    LinkStats stats(String name) {
        return net.link(name).stats();
    }

    /** Waits up to two seconds for a condition the workers make true. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(2);
        }
    }
}
