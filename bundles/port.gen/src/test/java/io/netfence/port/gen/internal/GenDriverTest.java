package io.netfence.port.gen.internal;

import io.netfence.net.testing.Allocations;
import static io.netfence.port.gen.internal.Frames.i32;
import static io.netfence.port.gen.internal.Frames.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GenDriverTest {
    private static final MacAddress PORT_MAC = MacAddress.parse("02:00:00:00:00:aa");
    private final GenDriver driver = new GenDriver();

    @TempDir
    Path dir;

    private static PortSpec spec(int queues, List<String> args) {
        return new PortSpec("gen0", 1500, PORT_MAC, queues, args);
    }

    private PortDevice open(String... args) {
        return open(1, args);
    }

    private PortDevice open(int queues, String... args) {
        PortSpec spec = spec(queues, List.of(args));
        driver.validate(spec);
        return driver.open(spec);
    }

    private static List<byte[]> take(PortDevice dev, int queue, int n) {
        PacketBatch batch = PacketBatch.owning(Math.min(n, 64), PacketBuffer.DEFAULT_CAPACITY);
        List<byte[]> frames = new ArrayList<>();
        while (frames.size() < n) {
            batch.clear();
            int got = dev.receive(queue, batch);
            assertEquals(got, batch.count());
            for (int i = 0; i < got && frames.size() < n; i++) {
                PacketBuffer p = batch.get(i);
                assertTrue(p.rxNanos != 0, "receive time set");
                frames.add(p.toByteArray());
            }
            if (got == 0) {
                throw new AssertionError("generator stopped after " + frames.size());
            }
        }
        return frames;
    }

    @Test
    void defaultsAreA64ByteUdpFrameAddressedToThePort() {
        try (PortDevice dev = open()) {
            assertEquals(1, dev.rxQueues());
            for (byte[] f : take(dev, 0, 100)) {
                assertEquals(64, f.length);
                assertEquals(PORT_MAC, MacAddress.read(f, 0));
                assertEquals(MacAddress.parse("02:6e:66:67:65:6e"), MacAddress.read(f, 6));
                Frames.assertValidIpv4(f);
                assertEquals(17, f[14 + 9]);
                assertEquals(0xC6120001, i32(f, 14 + 12), "198.18.0.1");
                assertEquals(0xC6130001, i32(f, 14 + 16), "198.19.0.1");
                assertEquals(1024, u16(f, 34));
                assertEquals(9, u16(f, 36));
            }
            assertFalse(dev.exhausted());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "udp, 60, 0", "udp, 64, 0", "udp, 65, 7", "udp, 1514, 0", "udp, 9216, 4094",
        "tcp, 60, 0", "tcp, 60, 100", "tcp, 1001, 0", "tcp, 9216, 0",
        "icmp, 60, 0", "icmp, 99, 12", "icmp, 9216, 0"})
    void framesHaveTheAskedSizeAndValidHeaders(String proto, int size, int vlan) {
        List<String> args = new ArrayList<>(List.of("proto", proto, "size", Integer.toString(size), "src", "10.1.2.3", "dst", "10.9.8.7",
                "smac", "02:11:22:33:44:55", "dmac", "02:66:77:88:99:00"));
        if (vlan != 0) {
            args.addAll(List.of("vlan", Integer.toString(vlan)));
        }
        if (!proto.equals("icmp")) {
            args.addAll(List.of("sport", "4000", "dport", "53"));
        }
        try (PortDevice dev = open(args.toArray(String[]::new))) {
            for (byte[] f : take(dev, 0, 3)) {
                assertEquals(size, f.length);
                assertEquals(MacAddress.parse("02:66:77:88:99:00"), MacAddress.read(f, 0));
                assertEquals(MacAddress.parse("02:11:22:33:44:55"), MacAddress.read(f, 6));
                if (vlan != 0) {
                    assertEquals(0x8100, u16(f, 12));
                    assertEquals(vlan, u16(f, 14) & 0x0FFF);
                } else {
                    assertEquals(0x0800, u16(f, 12));
                }
                Frames.assertValidIpv4(f);
                int ip = Frames.ipOffset(f);
                assertEquals(0x0A010203, i32(f, ip + 12));
                assertEquals(0x0A090807, i32(f, ip + 16));
                if (!proto.equals("icmp")) {
                    assertEquals(4000, u16(f, ip + 20));
                    assertEquals(53, u16(f, ip + 22));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"udp, 1024", "tcp, 80", "udp, 65534", "tcp, 65533"})
    void flowsVaryTheSourcePortWithValidChecksums(String proto, int sport) {
        int flows = 5;
        try (PortDevice dev = open("proto", proto, "flows", Integer.toString(flows), "sport", Integer.toString(sport), "size", "77")) {
            List<byte[]> frames = take(dev, 0, 4 * flows + 3);
            for (int i = 0; i < frames.size(); i++) {
                byte[] f = frames.get(i);
                Frames.assertValidIpv4(f);
                assertEquals((sport + i % flows) & 0xFFFF, u16(f, 34), "flow " + i % flows + " source port (wrapping past 65535)");
                assertEquals(9, u16(f, 36));
            }
        }
    }

    @Test
    void icmpFlowsVaryTheSourceAddressWithValidChecksums() {
        try (PortDevice dev = open("proto", "icmp", "flows", "3", "src", "10.0.0.254")) {
            List<byte[]> frames = take(dev, 0, 9);
            int[] expected = {0x0A0000FE, 0x0A0000FF, 0x0A000100};
            for (int i = 0; i < frames.size(); i++) {
                Frames.assertValidIpv4(frames.get(i));
                assertEquals(expected[i % 3], i32(frames.get(i), 14 + 12), "flow " + i % 3);
            }
        }
    }

    @Test
    void everyFlowIsProducedAndQueuesHaveTheirOwnCursor() {
        try (PortDevice dev = open(4, "flows", "1000")) {
            assertEquals(4, dev.rxQueues());
            Set<Integer> ports = new HashSet<>();
            for (int q = 0; q < 4; q++) {
                List<byte[]> frames = take(dev, q, 250);
                // Queues start spread over the flows: queue q starts at flow q * 1000 / 4.
                assertEquals(1024 + q * 250, u16(frames.getFirst(), 34));
                for (byte[] f : frames) {
                    Frames.assertValidIpv4(f);
                    ports.add(u16(f, 34));
                }
            }
            assertEquals(1000, ports.size());
        }
    }

    @Test
    void countExhaustsTheGeneratorExactly() {
        try (PortDevice dev = open("count", "100")) {
            PacketBatch batch = PacketBatch.owning(64, 9216);
            assertEquals(64, dev.receive(0, batch));
            assertFalse(dev.exhausted());
            batch.clear();
            assertEquals(36, dev.receive(0, batch));
            assertTrue(dev.exhausted());
            batch.clear();
            assertEquals(0, dev.receive(0, batch));
            assertEquals("100", dev.details().get("generated"));
        }
        // Shared between queues: the total is exact whichever queue asks.
        try (PortDevice dev = open(3, "count", "1k")) {
            PacketBatch batch = PacketBatch.owning(64, 9216);
            long total = 0;
            for (int call = 0; call < 100; call++) {
                batch.clear();
                total += dev.receive(call % 3, batch);
            }
            assertEquals(1000, total);
            assertTrue(dev.exhausted());
        }
    }

    @Test
    void partlyFilledBatchesAreToppedUpNotOverrun() {
        try (PortDevice dev = open()) {
            PacketBatch batch = PacketBatch.owning(8, 9216);
            batch.next();
            batch.commit();
            assertEquals(7, dev.receive(0, batch));
            assertTrue(batch.isFull());
            assertEquals(0, dev.receive(0, batch));
        }
    }

    @Test
    void rateRoughlyLimitsTheGenerator() throws InterruptedException {
        for (int queues : new int[] {1, 2}) {
            long rate = 4000;
            try (PortDevice dev = open(queues, "rate", "4k")) {
                PacketBatch batch = PacketBatch.owning(64, 9216);
                long start = System.nanoTime();
                long got = 0;
                while (System.nanoTime() - start < 400_000_000L) {
                    for (int q = 0; q < queues; q++) {
                        batch.clear();
                        got += dev.receive(q, batch);
                    }
                    Thread.sleep(1);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double expected = seconds * rate;
                assertTrue(got >= expected / 2 && got <= expected * 2 + rate / 100 + queues,
                        got + " frames in " + seconds + " s at " + rate + " pps over " + queues + " queues");
            }
        }
    }

    @Test
    void generatingAllocatesNothingPerPacket() {
        try (PortDevice dev = open(2, "flows", "100", "proto", "tcp", "rate", "1G")) {
            PacketBatch batch = PacketBatch.owning(64, 9216);
            int calls = 2000;
            long bytes = Allocations.allocatedBy(() -> {
                batch.clear();
                dev.receive(1, batch);
            }, calls);
            // Less than a byte per packet: what is left is the measuring itself, not the generator.
            assertTrue(bytes < 64L * calls, bytes + " bytes allocated for " + 64 * calls + " packets");
        }
    }

    @Test
    void transmitIntoAGeneratorDrops() {
        try (PortDevice dev = open()) {
            PacketBuffer p = new PacketBuffer();
            p.load(new byte[64], 0, 64);
            assertFalse(dev.transmit(p));
        }
    }

    @Test
    void framesLargerThanTheBuffersAreCountedNotDelivered() {
        try (PortDevice dev = open("size", "1500")) {
            PacketBatch small = PacketBatch.owning(4, 1000);
            assertEquals(0, dev.receive(0, small));
            assertEquals(4, dev.rxErrors());
        }
    }

    @Test
    void closedGeneratorProducesNothing() {
        PortDevice dev = open();
        dev.close();
        dev.close();
        assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)));
    }

    @Test
    void detailsDescribeTheGenerator() {
        try (PortDevice dev = open(2, "rate", "1M", "proto", "tcp", "flows", "8", "vlan", "5")) {
            Map<String, String> d = dev.details();
            assertEquals("1000000", d.get("rate"));
            assertEquals("tcp", d.get("proto"));
            assertEquals("8", d.get("flows"));
            assertEquals("source_port", d.get("vary"));
            assertEquals("5", d.get("vlan"));
            assertEquals("2", d.get("queues"));
            assertEquals(PORT_MAC.toString(), d.get("dmac"));
            assertEquals("0", d.get("generated"));
        }
    }

    private Path pcapWith(byte[] frame, ByteOrder order) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + frame.length).order(order);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(1).putInt(0).putInt(frame.length).putInt(frame.length).put(frame);
        Path file = Files.createTempFile(dir, "template", ".pcap");
        Files.write(file, b.array());
        return file;
    }

    @Test
    void templateFrameIsSentAndVariedPerFlow() throws IOException {
        byte[] original;
        try (PortDevice builder = open("proto", "tcp", "size", "200", "sport", "3000", "dport", "443")) {
            original = take(builder, 0, 1).getFirst();
        }
        Path file = pcapWith(original, ByteOrder.BIG_ENDIAN);
        try (PortDevice dev = open("template", file.toString(), "flows", "4")) {
            List<byte[]> frames = take(dev, 0, 8);
            assertArrayEquals(original, frames.getFirst(), "flow 0 is the template itself");
            for (int i = 0; i < frames.size(); i++) {
                Frames.assertValidIpv4(frames.get(i));
                assertEquals(3000 + i % 4, u16(frames.get(i), 34));
                assertEquals(443, u16(frames.get(i), 36));
            }
            assertEquals(file.toString(), dev.details().get("template"));
        }
    }

    @Test
    void aNonIpTemplateCanOnlyBeOneFlow() throws IOException {
        byte[] arp = new byte[60];
        MacAddress.BROADCAST.write(arp, 0);
        PORT_MAC.write(arp, 6);
        arp[12] = 0x08;
        arp[13] = 0x06;
        Path file = pcapWith(arp, ByteOrder.LITTLE_ENDIAN);
        PortSpec many = spec(1, List.of("template", file.toString(), "flows", "2"));
        driver.validate(many);
        NetException e = assertThrows(NetException.class, () -> driver.open(many));
        assertTrue(e.getMessage().contains("flows 1"), e.getMessage());
        try (PortDevice dev = open("template", file.toString())) {
            assertArrayEquals(arp, take(dev, 0, 1).getFirst());
        }
    }

    @Test
    void badTemplateFilesAreRefusedAtOpen() throws IOException {
        Path notPcap = dir.resolve("words.pcap");
        Files.writeString(notPcap, "definitely not a capture file");
        assertTrue(assertThrows(NetException.class, () -> open("template", notPcap.toString())).getMessage().contains("not a classic pcap"));
        ByteBuffer raw = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        raw.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        Path rawIp = dir.resolve("raw.pcap");
        Files.write(rawIp, raw.array());
        assertTrue(assertThrows(NetException.class, () -> open("template", rawIp.toString())).getMessage().contains("link type 101"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "speed 10            | speed",
        "rate                | rate",
        "rate fast           | fast",
        "rate -5             | -5",
        "rate 2G             | 2G",
        "count lots          | lots",
        "size 59             | 59",
        "size 9217           | 9217",
        "size 64.5           | 64.5",
        "flows 0             | 0",
        "flows 65537         | 65537",
        "proto sctp          | sctp",
        "src 10.0.0          | 10.0.0",
        "dst 2001:db8::1     | 2001:db8::1",
        "src 256.1.1.1       | 256.1.1.1",
        "smac 01:00:5e:00:00:01 | 01:00:5e:00:00:01",
        "dmac zz:00:00:00:00:01 | zz:00:00:00:00:01",
        "sport 65536         | 65536",
        "dport -1            | -1",
        "vlan 0              | 0",
        "vlan 4095           | 4095",
        "template /no/such.pcap | /no/such.pcap",
        "template DIR        | DIR",
        "proto icmp sport 5  | sport",
        "dport 5 proto icmp  | dport",
        "size 64 size 64     | size",
        "template FILE size 100 | size",
        "vlan 3 template FILE | vlan",
    })
    void everyBadWordIsNamed(String words, String named) throws IOException {
        Path file = pcapWith(new byte[60], ByteOrder.LITTLE_ENDIAN);
        List<String> args = new ArrayList<>();
        for (String w : words.trim().split("\\s+")) {
            args.add(w.replace("DIR", dir.toString()).replace("FILE", file.toString()));
        }
        String expectedWord = named.replace("DIR", dir.toString());
        PortSpec spec = spec(1, args);
        NetException e = assertThrows(NetException.class, () -> driver.validate(spec));
        assertTrue(e.getMessage().contains(expectedWord), e.getMessage() + " names " + expectedWord);
        assertTrue(e.getMessage().contains("expected") || e.getMessage().contains("needs"), e.getMessage() + " gives the accepted form");
        assertEquals(e.getMessage(), assertThrows(NetException.class, () -> driver.open(spec)).getMessage());
    }
}
