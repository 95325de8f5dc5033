package io.netfence.port.udp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.NeighbourInfo;
import io.netfence.net.api.NeighbourState;
import io.netfence.net.internal.ControlPlane;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortDriver;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.helpers.NOPLogger;

/**
 * The udp port under the real dataplane, as documented: the link carries the socket's address,
 * and next hops on it resolve through the device's own ARP / ND answers without any static
 * neighbour. The peer is a plain socket of the host on another address (TEST-NET-3 and a
 * documentation IPv6 prefix put on the host's {@code lo} for the test), so this needs root.
 */
class UdpDataplaneTest {
    private static final String[] HOST_ADDRESSES = {"203.0.113.7/32", "203.0.113.8/32", "2001:db8:4500::7/128", "2001:db8:4500::8/128"};
    private static final long LINK_MAC = 0x02_00_00_00_45_00L;
    private static final long IN_MAC = 0x02_00_00_00_00_11L;
    private static final long FAR_MAC = 0x02_00_00_00_00_22L;
    private static boolean added;

    private ControlPlane net;
    private final InjectDriver inject = new InjectDriver();
    private DatagramSocket peer;

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    @BeforeAll
    static void addHostAddresses() {
        need("root".equals(System.getProperty("user.name")), "needs root to add addresses to lo");
        need(run("ip", "-V").exit() == 0, "needs iproute2");
        String inUse = run("ip", "addr").output();
        Assumptions.assumeFalse(inUse.contains("203.0.113.") || inUse.contains("2001:db8:4500:"), "the test addresses are in use on this host");
        for (String a : HOST_ADDRESSES) {
            Result r = a.contains(":") ? run("ip", "-6", "addr", "add", a, "dev", "lo", "nodad") : run("ip", "addr", "add", a, "dev", "lo");
            added = true;
            need(r.exit() == 0, "ip addr add " + a + " dev lo: " + r.output());
        }
    }

    @AfterAll
    static void removeHostAddresses() {
        if (added) {
            for (String a : HOST_ADDRESSES) {
                run("ip", "addr", "del", a, "dev", "lo");
            }
        }
    }

    @BeforeEach
    void startDataplane() {
        net = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        net.addDriver(new UdpDriver());
        net.addDriver(inject);
        net.start();
    }

    @AfterEach
    void stopDataplane() {
        if (peer != null) {
            peer.close();
        }
        net.stop();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(2);
        }
    }

    private Map<String, String> details() {
        return net.link("udp0").details();
    }

    private long counter(String name) {
        return Long.parseLong(details().get(name));
    }

    private NeighbourInfo neighbour(String address) {
        IpAddress a = IpAddress.parse(address);
        return net.neighbours().stream().filter(n -> n.address().equals(a) && n.device().equals("udp0")).findFirst().orElse(null);
    }

    @ParameterizedTest
    @CsvSource({
        "203.0.113.7, 203.0.113.8, 24, 10.77.0.1/24",
        "2001:db8:4500::7, 2001:db8:4500::8, 64, 2001:db8:77::1/64",
    })
    void peersResolveThroughTheDevicesOwnAnswersAndTrafficFlowsBothWays(String local, String far, int length, String inAddress)
            throws Exception {
        // ip link add udp0 type udp local LOCAL port 0; ip addr add LOCAL/LEN dev udp0; ip link set udp0 up
        net.addLink(new LinkSpec("udp0", UdpDriver.TYPE, 0, new MacAddress(LINK_MAC), 0, List.of("local", local, "port", "0")));
        net.addAddress("udp0", IpPrefix.parse(local + "/" + length));
        net.setLink("udp0", new LinkChange(true, null, null));
        net.addLink(new LinkSpec("in0", InjectDriver.TYPE, 0, new MacAddress(IN_MAC), 0, List.of()));
        net.addAddress("in0", IpPrefix.parse(inAddress));
        net.setLink("in0", new LinkChange(true, null, null));
        int port = Integer.parseInt(details().get("port"));
        peer = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(far), 0));
        peer.setSoTimeout(3000);

        // In: a datagram to the socket is a UDP packet for the appliance. It has no socket on that
        // port, so it answers "port unreachable" to the peer: resolving the peer on udp0 makes the
        // dataplane solicit it, the device answers as the pseudo peer, the ICMP error is released
        // and refused by the device (not UDP), as documented.
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        peer.send(new DatagramPacket(hello, hello.length, InetAddress.getByName(local), port));
        boolean v6 = local.contains(":");
        await("the peer is resolved by the device's answer", () -> {
            NeighbourInfo n = neighbour(far);
            return n != null && n.mac() != null;
        });
        NeighbourInfo n = neighbour(far);
        assertEquals(new MacAddress(UdpDevice.PEER_MAC), n.mac());
        assertEquals(NeighbourState.REACHABLE, n.state());
        assertEquals(1, counter(v6 ? "nd_answered" : "arp_answered"));
        await("the ICMP error is refused by the device", () -> counter("tx_not_udp") == 1);
        assertEquals(1, counter("rx_datagrams"));
        await("the refusal is counted as a tx drop", () -> net.link("udp0").stats().txDropped() == 1);
        assertTrue(net.link("udp0").stats().rxPackets() >= 2, "the datagram and the answer");

        // Out: a UDP packet from the socket's address and port, routed out of udp0, reaches the
        // peer from that address and port (what xfrm does with ESP in UDP).
        PacketBuffer frame = new PacketBuffer();
        byte[] payload = "ESP in UDP, more or less".getBytes(StandardCharsets.US_ASCII);
        PacketBuilder b = PacketBuilder.ethernet(IN_MAC, FAR_MAC);
        (v6 ? b.ipv6(local, far) : b.ipv4(local, far)).udp(port, peer.getLocalPort()).payload(payload).buildInto(frame);
        inject.device.rx.add(frame.toByteArray());
        DatagramPacket got = new DatagramPacket(new byte[100], 100);
        peer.receive(got);
        assertArrayEquals(payload, Arrays.copyOf(got.getData(), got.getLength()));
        assertEquals(port, got.getPort());
        assertEquals(InetAddress.getByName(local), got.getAddress());
        // The peer may wake up before the worker that sent the datagram has counted it.
        await("the datagram is counted", () -> counter("tx_datagrams") == 1);
        assertEquals(1, counter(v6 ? "nd_answered" : "arp_answered"), "the neighbour was known by then");
    }

    /** A link type whose device takes frames queued by the test and discards what it is given. */
    static final class InjectDriver implements PortDriver {
        static final String TYPE = "inject";
        volatile InjectDevice device;

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public String usage() {
            return "";
        }

        @Override
        public void validate(PortSpec spec) {
        }

        @Override
        public PortDevice open(PortSpec spec) {
            device = new InjectDevice();
            return device;
        }
    }

    static final class InjectDevice implements PortDevice {
        final ConcurrentLinkedQueue<byte[]> rx = new ConcurrentLinkedQueue<>();

        @Override
        public int rxQueues() {
            return 1;
        }

        @Override
        public int receive(int queue, PacketBatch batch) {
            int n = 0;
            byte[] f;
            while (!batch.isFull() && (f = rx.poll()) != null) {
                batch.next().load(f, 0, f.length);
                batch.commit();
                n++;
            }
            return n;
        }

        @Override
        public boolean transmit(PacketBuffer packet) {
            return true;
        }

        @Override
        public Map<String, String> details() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    /**
     * Skips when the host lacks what the test needs; with -Dnetfence.requireAll=true (CI, where
     * everything is installed) fails instead, so a missing tool cannot pass for a green run.
     */
    private static void need(boolean ok, String what) {
        if (Boolean.getBoolean("netfence.requireAll")) {
            org.junit.jupiter.api.Assertions.assertTrue(ok, what + " (netfence.requireAll: nothing may be skipped)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ok, what);
    }
}
