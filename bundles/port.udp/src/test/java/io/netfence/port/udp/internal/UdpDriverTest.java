package io.netfence.port.udp.internal;

import io.netfence.net.testing.Allocations;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.Bytes;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.FlowKey;
import io.netfence.packet.Icmpv6;
import io.netfence.packet.IpAddress;
import io.netfence.packet.Ipv4;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.packet.Udp;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UdpDriverTest {
    private static final MacAddress LINK_MAC = MacAddress.parse("02:00:00:00:00:02");
    private static final long LINK = LINK_MAC.bits();
    private static final long PEER = UdpDevice.PEER_MAC;

    private final UdpDriver driver = new UdpDriver();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private UdpDevice open(String... args) {
        PortSpec spec = new PortSpec("udp0", 1500, LINK_MAC, 1, List.of(args));
        driver.validate(spec);
        UdpDevice dev = (UdpDevice) driver.open(spec);
        opened.add(dev);
        return dev;
    }

    private DatagramSocket peer(String address) throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0));
        s.setSoTimeout(2000);
        opened.add(s);
        return s;
    }

    private static void send(DatagramSocket from, byte[] payload, String to, int port) throws IOException {
        from.send(new DatagramPacket(payload, payload.length, InetAddress.getByName(to), port));
    }

    /** Polls the device until {@code n} frames came or two seconds passed; returns copies of them. */
    private static List<byte[]> receive(UdpDevice dev, int n) throws InterruptedException {
        List<byte[]> frames = new ArrayList<>();
        PacketBatch batch = PacketBatch.owning(PacketBatch.DEFAULT_SIZE, PacketBuffer.DEFAULT_CAPACITY);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (frames.size() < n && System.nanoTime() < deadline) {
            batch.clear();
            int got = dev.receive(0, batch);
            for (int i = 0; i < got; i++) {
                frames.add(batch.get(i).toByteArray());
            }
            if (got == 0) {
                Thread.sleep(2);
            }
        }
        return frames;
    }

    private static PacketBuffer dissected(byte[] frame) {
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p), "the frame is well formed");
        return p;
    }

    private static PacketBuffer buffer(byte[] frame) {
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        return p;
    }

    private static long counter(UdpDevice dev, String name) {
        return Long.parseLong(dev.details().get(name));
    }

    private static PacketBuilder ip(PacketBuilder b, String src, String dst) {
        return src.contains(":") ? b.ipv6(src, dst) : b.ipv4(src, dst);
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    // --- receive --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void everyDatagramBecomesAFrameFromTheSenderToTheSocket(String address) throws Exception {
        UdpDevice dev = open("local", address, "port", "0");
        int port = dev.localPort();
        assertTrue(port > 0, "the kernel chose a port");
        assertEquals(Integer.toString(port), dev.details().get("port"));
        assertEquals(IpAddress.parse(address).toString(), dev.details().get("local"));
        assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)), "nothing yet, and no blocking");

        DatagramSocket peer = peer(address);
        byte[] ike = new byte[40]; // the non-ESP marker: four zero bytes, then IKE
        ike[4] = 0x11;
        List<byte[]> payloads = List.of(new byte[0], new byte[] {(byte) 0xFF}, ike, random(1400, 1), random(8000, 2));
        for (byte[] payload : payloads) {
            send(peer, payload, address, port);
        }
        List<byte[]> frames = receive(dev, payloads.size());
        assertEquals(payloads.size(), frames.size(), "every datagram arrived");
        boolean v6 = address.contains(":");
        long bytes = 0;
        for (int i = 0; i < payloads.size(); i++) {
            byte[] payload = payloads.get(i);
            byte[] frame = frames.get(i);
            bytes += payload.length;
            PacketBuilder b = ip(PacketBuilder.ethernet(LINK, PEER), address, address).ttl(64);
            if (!v6) {
                b.id(Ipv4.id(frame, 14));
            }
            byte[] expected = b.udp(peer.getLocalPort(), port).payload(payload).build();
            if (!v6) {
                Bytes.put16(expected, 14 + 20 + 6, 0); // no UDP checksum over IPv4
            }
            assertArrayEquals(expected, frame, "datagram " + i + " as a frame, byte by byte");

            PacketBuffer p = dissected(frame);
            FlowKey k = p.key;
            assertEquals(LINK, k.ethDst);
            assertEquals(PEER, k.ethSrc);
            assertEquals(v6 ? 6 : 4, k.ipVersion);
            assertEquals(Udp.PROTO, k.ipProto);
            assertEquals(64, k.ttl);
            assertEquals(peer.getLocalPort(), k.srcPort);
            assertEquals(port, k.dstPort);
            assertTrue(FlowDissector.l4ChecksumValid(p), "checksums are valid");
            assertEquals(v6, Udp.checksum(p.data, k.l4Offset) != 0, "a UDP checksum over IPv6 only");
            assertArrayEquals(payload, Arrays.copyOfRange(frame, k.payloadOffset - p.offset, frame.length));
        }
        assertEquals(Integer.toString(payloads.size()), dev.details().get("rx_datagrams"));
        assertEquals(Long.toString(bytes), dev.details().get("rx_bytes"));
        assertEquals(0, dev.rxErrors());
    }

    @Test
    void aReceiveFillsTheBatchUpToItsCapacityAndNoFurther() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        DatagramSocket peer = peer("127.0.0.1");
        for (int i = 0; i < 100; i++) {
            send(peer, new byte[] {(byte) i}, "127.0.0.1", dev.localPort());
        }
        PacketBatch batch = PacketBatch.owning(64, 9216);
        assertEquals(64, dev.receive(0, batch));
        assertEquals(64, batch.count());
        batch.clear();
        batch.next();
        batch.commit(); // a batch that already holds something
        assertEquals(36, dev.receive(0, batch));
        assertEquals(37, batch.count());
        for (int i = 1; i < 37; i++) {
            PacketBuffer p = batch.get(i);
            assertEquals(63 + i, p.data[p.offset + p.length - 1], "in order");
        }
        batch.clear();
        assertEquals(0, dev.receive(0, batch));
        assertEquals(0, dev.receive(1, batch), "there is one queue");
        assertEquals(1, dev.rxQueues());
    }

    @Test
    void datagramsTooLargeForTheBufferAreCountedAsRxErrors() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        DatagramSocket peer = peer("127.0.0.1");
        send(peer, new byte[UdpDevice.SLOT_SIZE + 1], "127.0.0.1", dev.localPort()); // truncated by the kernel
        send(peer, new byte[1000], "127.0.0.1", dev.localPort()); // fits the slot, not the small buffer below
        send(peer, new byte[900], "127.0.0.1", dev.localPort());
        PacketBatch small = PacketBatch.owning(8, 950); // room for 42 + 900 bytes, not 42 + 1000
        long deadline = System.nanoTime() + 2_000_000_000L;
        int got = 0;
        while (got == 0 && System.nanoTime() < deadline) {
            got = dev.receive(0, small);
        }
        assertEquals(1, got);
        assertEquals(42 + 900, small.get(0).length);
        assertEquals(2, dev.rxErrors());
        assertEquals("2", dev.details().get("rx_errors"));
    }

    // --- transmit -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aTransmittedUdpFrameIsSentFromTheSocketToItsDestination(String address) throws Exception {
        UdpDevice dev = open("local", address, "port", "0");
        int port = dev.localPort();
        DatagramSocket peer = peer(address);
        byte[] payload = random(1200, 3);
        byte[] frame = ip(PacketBuilder.ethernet(PEER, LINK), address, address).udp(port, peer.getLocalPort()).payload(payload).build();
        // Ethernet padding after the IP packet is not payload.
        byte[] padded = Arrays.copyOf(frame, frame.length + 10);
        assertTrue(dev.transmit(buffer(padded)));
        DatagramPacket got = new DatagramPacket(new byte[2000], 2000);
        peer.receive(got);
        assertArrayEquals(payload, Arrays.copyOf(got.getData(), got.getLength()));
        assertEquals(port, got.getPort(), "sent from the socket's port");
        assertEquals(InetAddress.getByName(address), got.getAddress());

        byte[] empty = ip(PacketBuilder.ethernet(PEER, LINK), address, address).udp(port, peer.getLocalPort()).build();
        assertTrue(dev.transmit(buffer(empty)));
        peer.receive(got);
        assertEquals(0, got.getLength(), "an empty datagram is a datagram");
        assertEquals("2", dev.details().get("tx_datagrams"));
        assertEquals("1200", dev.details().get("tx_bytes"));
        assertEquals("0", dev.details().get("tx_errors"));
    }

    @Test
    void everythingButUdpFromTheSocketIsRefusedAndCounted() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        int port = dev.localPort();
        String a = "127.0.0.1";
        List<byte[]> notUdp = List.of(
                new byte[10],
                PacketBuilder.ethernet(LINK, LINK).arpReply(LINK, 0x7F000001, PEER, 0x7F000002).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv4(a, a).icmpEcho(1, 1).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv4(a, a).tcp(port, 9, 0x02).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv4(a, a).fragment(0, true, 7).udp(port, 9).payload(new byte[16]).build(),
                PacketBuilder.ethernet(PEER, LINK).vlan(5, 0).ipv4(a, a).udp(port, 9).build(),
                PacketBuilder.ethernet(PEER, LINK).ethType(0x88B5).payload(new byte[50]).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv6("::1", "::1").icmpv6Echo(1, 1).build(),
                Arrays.copyOf(PacketBuilder.ethernet(PEER, LINK).ipv4(a, a).udp(port, 9).build(), 14 + 20 + 4));
        byte[] lying = PacketBuilder.ethernet(PEER, LINK).ipv4(a, a).udp(port, 9).payload(new byte[8]).build();
        Bytes.put16(lying, 14 + 20 + 4, 100); // UDP length past the IP packet
        List<byte[]> refused = new ArrayList<>(notUdp);
        refused.add(lying);
        List<byte[]> wrongSource = List.of(
                PacketBuilder.ethernet(PEER, LINK).ipv4(a, a).udp(port + 1, 9).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv4("127.0.0.2", a).udp(port, 9).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv6("::1", "::1").udp(port, 9).build());
        for (byte[] f : refused) {
            assertFalse(dev.transmit(buffer(f)), "refused: " + f.length + " bytes");
        }
        for (byte[] f : wrongSource) {
            assertFalse(dev.transmit(buffer(f)));
        }
        assertEquals(refused.size(), counter(dev, "tx_not_udp"));
        assertEquals(wrongSource.size(), counter(dev, "tx_wrong_source"));
        assertEquals(0, counter(dev, "tx_datagrams"));
        assertEquals(0, counter(dev, "arp_answered"));
    }

    @Test
    void aSendFailureIsCountedWithTheKernelsReason() {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        byte[] toPortZero = PacketBuilder.ethernet(PEER, LINK).ipv4("127.0.0.1", "127.0.0.1").udp(dev.localPort(), 0).build();
        assertFalse(dev.transmit(buffer(toPortZero)));
        assertEquals(1, counter(dev, "tx_errors"));
        assertEquals("Invalid argument", dev.details().get("tx_error"));
    }

    @Test
    void theLinksMacIsFollowedFromWhatTheDataplaneSends() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        DatagramSocket peer = peer("127.0.0.1");
        long newMac = 0x02_00_00_00_00_99L;
        byte[] out = PacketBuilder.ethernet(PEER, newMac).ipv4("127.0.0.1", "127.0.0.1").udp(dev.localPort(), peer.getLocalPort()).build();
        assertTrue(dev.transmit(buffer(out)));
        send(peer, new byte[4], "127.0.0.1", dev.localPort());
        List<byte[]> frames = receive(dev, 1);
        assertEquals(newMac, dissected(frames.getFirst()).key.ethDst, "after ip link set ... address, frames follow the new MAC");
    }

    // --- neighbours -----------------------------------------------------------------------------

    @Test
    void arpRequestsForAnyPeerAreAnsweredByThePseudoPeer() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        int us = 0x0A00_0001;
        int them = 0x0A00_0002;
        byte[] request = PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), LINK).arpRequest(LINK, us, them).build();
        assertTrue(dev.transmit(buffer(request)), "the device takes the request");
        List<byte[]> frames = receive(dev, 1);
        assertEquals(1, frames.size());
        byte[] expected = PacketBuilder.ethernet(LINK, PEER).arpReply(PEER, them, LINK, us).build();
        assertArrayEquals(expected, frames.getFirst());
        PacketBuffer p = dissected(frames.getFirst());
        assertEquals(FlowKey.ETH_P_ARP, p.key.ethType);
        assertEquals(1, counter(dev, "arp_answered"));
        assertEquals("02:6e:66:75:64:70", dev.details().get("peer_mac"));

        // A request from a link without an IPv4 address (sender 0.0.0.0) for a peer is answered too.
        assertTrue(dev.transmit(buffer(PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), LINK).arpRequest(LINK, 0, them).build())));
        assertEquals(1, receive(dev, 1).size());

        // About this side, not a peer: an announcement, a probe for the socket's address, a reply.
        int local = 0x7F00_0001;
        List<byte[]> unanswered = List.of(
                PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), LINK).arpRequest(LINK, us, us).build(),
                PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), LINK).arpRequest(LINK, 0, local).build(),
                PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), LINK).arpRequest(LINK, us, 0).build(),
                PacketBuilder.ethernet(PEER, LINK).arpReply(LINK, us, PEER, them).build());
        for (byte[] f : unanswered) {
            assertFalse(dev.transmit(buffer(f)));
        }
        assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)));
        assertEquals(2, counter(dev, "arp_answered"));
        assertEquals(unanswered.size(), counter(dev, "tx_not_udp"));
    }

    @Test
    void answersWaitInABoundedQueueAndGoOutWithTheNextReceive() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        DatagramSocket peer = peer("127.0.0.1");
        int taken = 0;
        for (int i = 0; i < UdpDevice.ANSWER_SLOTS + 4; i++) {
            byte[] request = PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), LINK).arpRequest(LINK, 0x0A00_0001, 0x0A00_0100 + i).build();
            taken += dev.transmit(buffer(request)) ? 1 : 0;
        }
        assertEquals(UdpDevice.ANSWER_SLOTS, taken);
        assertEquals("4", dev.details().get("answers_dropped"));
        send(peer, new byte[3], "127.0.0.1", dev.localPort());
        Thread.sleep(20);
        PacketBatch batch = PacketBatch.owning(10, 9216);
        assertEquals(10, dev.receive(0, batch), "answers first, up to the batch's capacity");
        for (int i = 0; i < 10; i++) {
            assertEquals(FlowKey.ETH_P_ARP, dissected(batch.get(i).toByteArray()).key.ethType);
            assertEquals(0x0A00_0100 + i, Bytes.i32(batch.get(i).data, batch.get(i).offset + 14 + 14), "in order");
        }
        batch.clear();
        assertEquals(7, dev.receive(0, batch), "the rest of the answers, then the datagram");
        assertEquals(FlowKey.ETH_P_IPV4, dissected(batch.get(6).toByteArray()).key.ethType);
    }

    @Test
    void neighbourSolicitationsAreAnsweredByThePseudoPeer() throws Exception {
        UdpDevice dev = open("local", "::1", "port", "0");
        IpAddress target = IpAddress.parse("2001:db8::8");
        long group = 0x3333_FF00_0008L;
        byte[] ns = PacketBuilder.ethernet(group, LINK).ipv6("fe80::2", "ff02::1:ff00:8")
                .neighborSolicit(target.hi(), target.lo(), LINK).build();
        assertTrue(dev.transmit(buffer(ns)));
        List<byte[]> frames = receive(dev, 1);
        assertEquals(1, frames.size());
        int solicited = Icmpv6.NA_FLAG_ROUTER | Icmpv6.NA_FLAG_SOLICITED | Icmpv6.NA_FLAG_OVERRIDE;
        byte[] expected = PacketBuilder.ethernet(LINK, PEER).ipv6("2001:db8::8", "fe80::2")
                .neighborAdvert(target.hi(), target.lo(), solicited, PEER).build();
        assertArrayEquals(expected, frames.getFirst());
        PacketBuffer p = dissected(frames.getFirst());
        assertEquals(Icmpv6.TYPE_NEIGHBOR_ADVERT, p.key.icmpType);
        assertEquals(255, p.key.ttl);
        assertTrue(FlowDissector.l4ChecksumValid(p));

        // From :: (a link without addresses): answered to all-nodes, not marked solicited.
        byte[] anonymous = PacketBuilder.ethernet(group, LINK).ipv6("::", "ff02::1:ff00:8").neighborSolicit(target.hi(), target.lo(), -1).build();
        assertTrue(dev.transmit(buffer(anonymous)));
        byte[] toAll = PacketBuilder.ethernet(UdpFrames.ALL_NODES_MAC, PEER).ipv6("2001:db8::8", "ff02::1")
                .neighborAdvert(target.hi(), target.lo(), Icmpv6.NA_FLAG_ROUTER | Icmpv6.NA_FLAG_OVERRIDE, PEER).build();
        assertArrayEquals(toAll, receive(dev, 1).getFirst());

        // Not answered: duplicate address detection for the socket's address, a routed (hop limit 64) NS, an NA.
        IpAddress own = IpAddress.parse("::1");
        List<byte[]> unanswered = List.of(
                PacketBuilder.ethernet(group, LINK).ipv6("::", "ff02::1:ff00:1").neighborSolicit(own.hi(), own.lo(), -1).build(),
                PacketBuilder.ethernet(group, LINK).ipv6("fe80::2", "ff02::1:ff00:8").hopLimit(64)
                        .neighborSolicit(target.hi(), target.lo(), LINK).build(),
                PacketBuilder.ethernet(PEER, LINK).ipv6("fe80::2", "fe80::3").neighborAdvert(target.hi(), target.lo(), 0, LINK).build());
        for (byte[] f : unanswered) {
            assertFalse(dev.transmit(buffer(f)));
        }
        assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)));
        assertEquals(2, counter(dev, "nd_answered"));
        assertEquals(unanswered.size(), counter(dev, "tx_not_udp"));
    }

    // --- opening and closing --------------------------------------------------------------------

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aPortInUseIsRefusedInOneSentenceNamingItAndNothingLeaks() throws Exception {
        DatagramSocket taken = peer("127.0.0.1");
        long before = openDescriptors();
        NetException e = assertThrows(NetException.class, () -> open("local", "127.0.0.1", "port", Integer.toString(taken.getLocalPort())));
        assertEquals("UDP port " + taken.getLocalPort() + " on 127.0.0.1 is already in use by another socket:"
                + " stop its owner or choose another port with port PORT.", e.getMessage());
        assertEquals(before, openDescriptors(), "the socket was closed again");
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.77", "2001:db8::77"})
    void anAddressThatIsNotTheHostsIsRefused(String address) throws Exception {
        String sysctl = address.contains(":") ? "/proc/sys/net/ipv6/ip_nonlocal_bind" : "/proc/sys/net/ipv4/ip_nonlocal_bind";
        org.junit.jupiter.api.Assumptions.assumeTrue(!Files.exists(Path.of(sysctl)) || Files.readString(Path.of(sysctl)).trim().equals("0"),
                "the host allows binding foreign addresses");
        long before = openDescriptors();
        NetException e = assertThrows(NetException.class, () -> open("local", address));
        assertEquals("address " + address + " is not assigned to any interface of this host, so UDP port 4500 on " + address
                + " cannot be bound: give local an address of the host.", e.getMessage());
        assertEquals(before, openDescriptors());
    }

    @Test
    void openFailuresAreOneSentenceEach() {
        IpAddress a = IpAddress.parse("192.0.2.2");
        List<NetException> failures = List.of(UdpDevice.bindRefused(a, 500, UdpNative.EACCES), UdpDevice.bindRefused(a, 0, UdpNative.EADDRINUSE),
                UdpDevice.bindRefused(a, 4500, UdpNative.EADDRNOTAVAIL), UdpDevice.bindRefused(a, 4500, 5),
                UdpDevice.socketRefused(true, UdpNative.EAFNOSUPPORT), UdpDevice.socketRefused(false, 24));
        for (NetException e : failures) {
            String m = e.getMessage();
            assertTrue(m.endsWith(".") && !m.substring(0, m.length() - 1).contains(". "), "one sentence: " + m);
        }
        assertEquals("binding UDP port 500 on 192.0.2.2 needs privilege (a port below 1024): run Netfence as root,"
                + " grant it CAP_NET_BIND_SERVICE or choose another port.", failures.get(0).getMessage());
        assertTrue(failures.get(1).getMessage().contains("an ephemeral port on 192.0.2.2"), failures.get(1).getMessage());
        assertTrue(failures.get(3).getMessage().endsWith("cannot be bound: Input/output error."), failures.get(3).getMessage());
        assertTrue(failures.get(4).getMessage().contains("IPv6 disabled"));
        assertTrue(failures.get(5).getMessage().contains("Too many open files"));
    }

    @Test
    void closingReleasesTheSocket() throws Exception {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        int port = dev.localPort();
        byte[] frame = PacketBuilder.ethernet(PEER, LINK).ipv4("127.0.0.1", "127.0.0.1").udp(port, 9).build();
        dev.close();
        dev.close();
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertEquals(port, again.getLocalPort(), "the port is free again");
        }
        assertFalse(dev.transmit(buffer(frame)));
        assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)));
        assertEquals(Integer.toString(port), dev.details().get("port"), "details still answer");
        UdpDevice reopened = open("local", "127.0.0.1", "port", Integer.toString(port));
        assertEquals(port, reopened.localPort());
    }

    @Test
    void detailsWarnAboutLoopbackAddresses() throws Exception {
        assertTrue(open("local", "127.0.0.1", "port", "0").details().get("warning").contains("martians"));
        String host = hostAddress();
        if (host != null) {
            assertNull(open("local", host, "port", "0").details().get("warning"));
        }
    }

    /** A non-loopback IPv4 address of this host, or null. */
    static String hostAddress() throws IOException {
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a instanceof java.net.Inet4Address) {
                    return a.getHostAddress();
                }
            }
        }
        return null;
    }

    // --- arguments ------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "                                  | local",
        "port 4500                         | local ADDR",
        "local                             | local",
        "local 1.2.3                       | 1.2.3",
        "local 0.0.0.0                     | 0.0.0.0",
        "local ::                          | ::",
        "local 224.0.0.1                   | 224.0.0.1",
        "local 255.255.255.255             | 255.255.255.255",
        "local fe80::1                     | fe80::1",
        "local ::ffff:192.0.2.2            | ::ffff:192.0.2.2",
        "local 127.0.0.1 port 65536        | 65536",
        "local 127.0.0.1 port x            | x",
        "local 127.0.0.1 port              | port",
        "local 127.0.0.1 local 127.0.0.2   | local",
        "local 127.0.0.1 ifname x          | ifname",
    })
    void everyBadWordIsNamedAndNothingIsOpened(String words, String named) throws Exception {
        List<String> args = words == null ? List.of() : List.of(words.trim().split("\\s+"));
        PortSpec spec = new PortSpec("udp0", 1500, LINK_MAC, 1, args);
        long before = openDescriptors();
        NetException e = assertThrows(NetException.class, () -> driver.validate(spec));
        assertTrue(e.getMessage().contains(named), e.getMessage() + " names " + named);
        assertTrue(e.getMessage().contains("expected"), e.getMessage() + " gives the accepted form");
        assertEquals(e.getMessage(), assertThrows(NetException.class, () -> driver.open(spec)).getMessage());
        assertEquals(before, openDescriptors());
    }

    @Test
    void theTypeAndItsDefaults() {
        assertEquals("udp", driver.type());
        assertEquals("local ADDR [port PORT]", driver.usage());
        UdpOptions o = UdpOptions.parse(List.of("local", "2001:db8::1"));
        assertEquals(4500, o.port());
        assertTrue(o.v6());
        assertFalse(o.loopback());
        assertTrue(UdpOptions.parse(List.of("port", "0", "local", "127.1.2.3")).loopback());
        assertNotEquals(LINK, UdpDevice.PEER_MAC);
    }

    @Test
    void thePseudoPeerNeverHasTheLinksMac() {
        PortSpec spec = new PortSpec("udp0", 1500, new MacAddress(UdpDevice.PEER_MAC), 1, List.of("local", "127.0.0.1", "port", "0"));
        UdpDevice dev = (UdpDevice) driver.open(spec);
        opened.add(dev);
        assertNotEquals(UdpDevice.PEER_MAC, dev.peerMac());
    }

    // --- allocation -----------------------------------------------------------------------------

    @Test
    void sendingAndReceivingAllocateNothingPerPacket() {
        UdpDevice dev = open("local", "127.0.0.1", "port", "0");
        int port = dev.localPort();
        // The device sends to itself: one transmit, one datagram back through recvmmsg.
        PacketBuffer out = buffer(PacketBuilder.ethernet(PEER, LINK).ipv4("127.0.0.1", "127.0.0.1").udp(port, port)
                .payload(new byte[100]).build());
        PacketBatch batch = PacketBatch.owning(32, 9216);
        assertTrue(dev.transmit(out));
        assertEquals(1, dev.receive(0, batch));
        int calls = 2000;
        long bytes = Allocations.allocatedBy(() -> {
            dev.transmit(out);
            batch.clear();
            dev.receive(0, batch);
        }, calls);
        assertTrue(bytes < calls, bytes + " bytes allocated for " + calls + " sends and receives");
        long idle = Allocations.allocatedBy(() -> {
            batch.clear();
            dev.receive(0, batch);
        }, calls);
        assertTrue(idle < calls, idle + " bytes allocated for " + calls + " polls of an empty socket");
        assertEquals(0, dev.rxErrors());
        assertTrue(counter(dev, "rx_datagrams") > calls, "the loop really went through the socket");
    }
}
