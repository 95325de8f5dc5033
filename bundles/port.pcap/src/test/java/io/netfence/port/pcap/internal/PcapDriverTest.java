package io.netfence.port.pcap.internal;

import io.netfence.net.testing.Allocations;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapDriverTest {
    private final PcapDriver driver = new PcapDriver();

    @TempDir
    Path dir;

    private static PortSpec spec(String... args) {
        return new PortSpec("pc0", 1500, MacAddress.parse("02:00:00:00:00:01"), 1, List.of(args));
    }

    private PortDevice open(String... args) {
        PortSpec spec = spec(args);
        driver.validate(spec);
        return driver.open(spec);
    }

    /** Receives until the device is exhausted (or {@code max} frames), returning copies of the frames. */
    private static List<byte[]> drain(PortDevice dev, PacketBatch batch, int max) {
        List<byte[]> frames = new ArrayList<>();
        for (int calls = 0; calls < 100_000 && frames.size() < max; calls++) {
            batch.clear();
            int n = dev.receive(0, batch);
            assertEquals(n, batch.count());
            for (int i = 0; i < n; i++) {
                frames.add(batch.get(i).toByteArray());
            }
            if (n == 0 && dev.exhausted()) {
                break;
            }
        }
        return frames;
    }

    private static List<byte[]> sampleFrames() {
        List<byte[]> frames = new ArrayList<>();
        int[] lengths = {60, 64, 1, 14, 1514, 128, 9000, 61, 999};
        for (int i = 0; i < lengths.length; i++) {
            frames.add(PcapFiles.frame(lengths[i], i));
        }
        return frames;
    }

    private static void assertSameFrames(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }

    @Test
    void framesWrittenByTxReadBackByteExactByRx() throws IOException {
        Path file = dir.resolve("out.pcap");
        List<byte[]> frames = sampleFrames();
        long before = System.currentTimeMillis() / 1000;
        try (PortDevice tx = open("tx", file.toString())) {
            PacketBuffer p = new PacketBuffer();
            for (byte[] f : frames) {
                p.load(f, 0, f.length);
                assertTrue(tx.transmit(p));
            }
            assertEquals(Integer.toString(frames.size()), tx.details().get("written"));
            assertEquals(file.toString(), tx.details().get("tx"));
        }
        long after = System.currentTimeMillis() / 1000 + 1;

        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
        assertEquals(PcapFormat.MAGIC_MICROSECONDS, raw.getInt(0));
        assertEquals(2, raw.getShort(4));
        assertEquals(4, raw.getShort(6));
        assertEquals(PcapFormat.LINKTYPE_ETHERNET, raw.getInt(20));
        int at = 24;
        long lastMicros = 0;
        for (byte[] f : frames) {
            long seconds = raw.getInt(at) & 0xFFFF_FFFFL;
            int micros = raw.getInt(at + 4);
            assertTrue(seconds >= before && seconds <= after, "timestamp " + seconds + " is the real time");
            assertTrue(micros >= 0 && micros < 1_000_000);
            long stamp = seconds * 1_000_000 + micros;
            assertTrue(stamp >= lastMicros, "timestamps never go back");
            lastMicros = stamp;
            assertEquals(f.length, raw.getInt(at + 8));
            assertEquals(f.length, raw.getInt(at + 12));
            at += 16 + f.length;
        }
        assertEquals(raw.capacity(), at);

        try (PortDevice rx = open("rx", file.toString())) {
            assertEquals(1, rx.rxQueues());
            assertFalse(rx.exhausted());
            PacketBatch batch = PacketBatch.owning(4, PacketBuffer.DEFAULT_CAPACITY);
            assertSameFrames(frames, drain(rx, batch, 1000));
            assertTrue(rx.exhausted());
            assertEquals(0, rx.rxErrors());
            assertEquals(Integer.toString(frames.size()), rx.details().get("read"));
            batch.clear();
            assertEquals(0, rx.receive(0, batch), "nothing after the last frame");
        }
    }

    @ParameterizedTest
    @CsvSource({"BIG_ENDIAN, -1582119980", "BIG_ENDIAN, -1582154675", "LITTLE_ENDIAN, -1582119980", "LITTLE_ENDIAN, -1582154675"})
    void readsBothByteOrdersAndBothTimestampResolutions(String order, int magic) throws IOException {
        assertTrue(magic == PcapFormat.MAGIC_MICROSECONDS || magic == PcapFormat.MAGIC_NANOSECONDS);
        ByteOrder byteOrder = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        List<byte[]> frames = sampleFrames();
        Path file = PcapFiles.write(dir.resolve("in.pcap"), byteOrder, magic, PcapFormat.LINKTYPE_ETHERNET, frames);
        try (PortDevice rx = open("rx", file.toString())) {
            assertSameFrames(frames, drain(rx, PacketBatch.owning(3, PacketBuffer.DEFAULT_CAPACITY), 1000));
            assertEquals(0, rx.rxErrors());
            assertEquals(magic == PcapFormat.MAGIC_NANOSECONDS ? "ns" : "us", rx.details().get("timestamps"));
        }
    }

    @Test
    void truncatedLastRecordEndsTheStreamAndIsCountedOnceAcrossLoops() throws IOException {
        List<byte[]> frames = sampleFrames().subList(0, 5);
        Path file = PcapFiles.write(dir.resolve("cut.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, frames);
        byte[] whole = Files.readAllBytes(file);
        // Cut in the middle of the last frame's body, as a killed tcpdump leaves it.
        Files.write(file, Arrays.copyOf(whole, whole.length - frames.get(4).length / 2));
        try (PortDevice rx = open("rx", file.toString())) {
            assertSameFrames(frames.subList(0, 4), drain(rx, PacketBatch.owning(64, 9216), 1000));
            assertTrue(rx.exhausted());
            assertEquals(1, rx.rxErrors());
        }
        try (PortDevice rx = open("rx", file.toString(), "loop", "3")) {
            List<byte[]> got = drain(rx, PacketBatch.owning(64, 9216), 1000);
            assertEquals(12, got.size());
            assertEquals(1, rx.rxErrors(), "the broken record is counted once, not once per pass");
        }
        // A cut inside a record header is broken too.
        Files.write(file, Arrays.copyOf(whole, 24 + 16 + frames.get(0).length + 7));
        try (PortDevice rx = open("rx", file.toString())) {
            assertSameFrames(frames.subList(0, 1), drain(rx, PacketBatch.owning(64, 9216), 1000));
            assertEquals(1, rx.rxErrors());
        }
    }

    @Test
    void garbageRecordLengthEndsTheStream() throws IOException {
        List<byte[]> frames = sampleFrames().subList(0, 3);
        Path file = PcapFiles.write(dir.resolve("garbage.pcap"), ByteOrder.BIG_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, frames);
        byte[] bytes = Files.readAllBytes(file);
        int third = 24 + 16 + frames.get(0).length + 16 + frames.get(1).length;
        ByteBuffer.wrap(bytes).putInt(third + 8, 0x7FFF_FFF0);
        Files.write(file, bytes);
        try (PortDevice rx = open("rx", file.toString())) {
            assertSameFrames(frames.subList(0, 2), drain(rx, PacketBatch.owning(64, 9216), 1000));
            assertTrue(rx.exhausted());
            assertEquals(1, rx.rxErrors());
        }
        // A captured length above the original length cannot come from a capture either.
        ByteBuffer.wrap(bytes).putInt(third + 8, frames.get(2).length).putInt(third + 12, 0);
        Files.write(file, bytes);
        try (PortDevice rx = open("rx", file.toString())) {
            assertEquals(2, drain(rx, PacketBatch.owning(64, 9216), 1000).size());
            assertEquals(1, rx.rxErrors());
        }
    }

    @Test
    void recordsLargerThanTheBufferAreSkippedAndCounted() throws IOException {
        List<byte[]> frames = List.of(PcapFiles.frame(60, 1), PcapFiles.frame(500, 2), PcapFiles.frame(100, 3));
        Path file = PcapFiles.write(dir.resolve("big.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, frames);
        try (PortDevice rx = open("rx", file.toString())) {
            List<byte[]> got = drain(rx, PacketBatch.owning(8, 100), 1000);
            assertSameFrames(List.of(frames.get(0), frames.get(2)), got);
            assertEquals(1, rx.rxErrors());
        }
    }

    @Test
    void framesWithAnFcsHaveItStripped() throws IOException {
        byte[] withFcs = PcapFiles.frame(68, 9);
        // FCS-present bit with a length of two 16-bit words (4 bytes).
        int linkField = PcapFormat.LINKTYPE_ETHERNET | PcapFormat.LINKTYPE_FCS_PRESENT | (2 << 29);
        Path file = PcapFiles.write(dir.resolve("fcs.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, linkField, List.of(withFcs));
        try (PortDevice rx = open("rx", file.toString())) {
            assertSameFrames(List.of(Arrays.copyOf(withFcs, 64)), drain(rx, PacketBatch.owning(8, 9216), 10));
        }
    }

    @Test
    void otherLinkTypesAreRefusedAtOpen() throws IOException {
        Path file = PcapFiles.write(dir.resolve("raw.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 101, sampleFrames());
        PortSpec spec = spec("rx", file.toString());
        driver.validate(spec);
        NetException e = assertThrows(NetException.class, () -> driver.open(spec));
        assertTrue(e.getMessage().contains("link type 101") && e.getMessage().contains("LINKTYPE_ETHERNET"), e.getMessage());
    }

    @Test
    void nonPcapFilesAreRefusedAtOpenWithAReason() throws IOException {
        Path pcapng = dir.resolve("x.pcapng");
        Files.write(pcapng, new byte[] {0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, 28, 0, 0, 0});
        assertTrue(assertThrows(NetException.class, () -> open("rx", pcapng.toString())).getMessage().contains("pcapng"));
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "these are not packets at all, just words");
        assertTrue(assertThrows(NetException.class, () -> open("rx", text.toString())).getMessage().contains("not a pcap file"));
        Path tiny = dir.resolve("tiny.pcap");
        Files.write(tiny, new byte[] {(byte) 0xD4, (byte) 0xC3, (byte) 0xB2, (byte) 0xA1, 2, 0});
        assertTrue(assertThrows(NetException.class, () -> open("rx", tiny.toString())).getMessage().contains("too short"));
        // A failed rx open leaves no tx file behind.
        Path out = dir.resolve("never.pcap");
        assertThrows(NetException.class, () -> open("rx", text.toString(), "tx", out.toString()));
        assertFalse(Files.exists(out));
    }

    @Test
    void loopReplaysTheFileCountTimesAndZeroMeansForever() throws IOException {
        List<byte[]> frames = sampleFrames();
        Path file = PcapFiles.write(dir.resolve("loop.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, frames);
        try (PortDevice rx = open("rx", file.toString(), "loop", "3")) {
            List<byte[]> got = drain(rx, PacketBatch.owning(5, 9216), 10_000);
            assertEquals(3 * frames.size(), got.size());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(frames.get(i % frames.size()), got.get(i));
            }
            assertTrue(rx.exhausted());
        }
        try (PortDevice rx = open("rx", file.toString(), "loop", "0")) {
            List<byte[]> got = drain(rx, PacketBatch.owning(64, 9216), 50 * frames.size());
            assertTrue(got.size() >= 50 * frames.size());
            assertFalse(rx.exhausted(), "loop 0 never ends");
        }
        // A file without records ends at once even when looping forever.
        Path empty = PcapFiles.write(dir.resolve("empty.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, List.of());
        try (PortDevice rx = open("rx", empty.toString(), "loop", "0")) {
            assertEquals(0, drain(rx, PacketBatch.owning(64, 9216), 10).size());
            assertTrue(rx.exhausted());
        }
    }

    @Test
    void rateRoughlyLimitsReplay() throws IOException, InterruptedException {
        Path file = PcapFiles.write(dir.resolve("rate.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, sampleFrames());
        long rate = 2000;
        try (PortDevice rx = open("rx", file.toString(), "loop", "0", "rate", "2k")) {
            PacketBatch batch = PacketBatch.owning(64, 9216);
            long start = System.nanoTime();
            long got = 0;
            while (System.nanoTime() - start < 400_000_000L) {
                batch.clear();
                got += rx.receive(0, batch);
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double expected = seconds * rate;
            assertTrue(got >= expected / 2 && got <= expected * 2 + rate / 100 + 1, got + " frames in " + seconds + " s at " + rate + " pps");
        }
    }

    @Test
    void concurrentTransmittersAreSerialisedIntoAValidFile() throws Exception {
        Path file = dir.resolve("many.pcap");
        int threads = 4;
        int perThread = 3000;
        try (PortDevice tx = open("tx", file.toString())) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    PacketBuffer p = new PacketBuffer();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int seq = 0; seq < perThread; seq++) {
                        int len = 60 + (seq % 200);
                        p.reset();
                        Arrays.fill(p.data, p.offset, p.offset + len, (byte) id);
                        ByteBuffer.wrap(p.data, p.offset, 8).putInt(id).putInt(seq);
                        p.length = len;
                        if (!tx.transmit(p)) {
                            throw new AssertionError("transmit refused");
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
        }
        try (PortDevice rx = open("rx", file.toString())) {
            List<byte[]> got = drain(rx, PacketBatch.owning(64, 9216), threads * perThread + 1);
            assertEquals(threads * perThread, got.size());
            int[] nextSeq = new int[threads];
            for (byte[] f : got) {
                ByteBuffer b = ByteBuffer.wrap(f);
                int id = b.getInt();
                int seq = b.getInt();
                assertEquals(nextSeq[id]++, seq, "each thread's frames in order");
                assertEquals(60 + (seq % 200), f.length);
                for (int i = 8; i < f.length; i++) {
                    assertEquals((byte) id, f[i], "frames are not interleaved");
                }
            }
            assertEquals(0, rx.rxErrors());
        }
    }

    @Test
    void readingAndWritingAllocateNothingPerPacket() throws IOException {
        Path out = dir.resolve("alloc.pcap");
        int calls = 20_000;
        try (PortDevice tx = open("tx", out.toString())) {
            PacketBuffer p = new PacketBuffer();
            byte[] f = PcapFiles.frame(300, 1);
            p.load(f, 0, f.length);
            long bytes = Allocations.allocatedBy(() -> tx.transmit(p), calls);
            assertTrue(bytes < calls, bytes + " bytes allocated writing " + calls + " frames");
        }
        try (PortDevice rx = open("rx", out.toString(), "loop", "0")) {
            PacketBatch batch = PacketBatch.owning(64, 9216);
            long bytes = Allocations.allocatedBy(() -> {
                batch.clear();
                rx.receive(0, batch);
            }, calls / 10);
            assertTrue(bytes < 64L * calls / 10, bytes + " bytes allocated reading " + 64 * calls / 10 + " frames");
            assertEquals(0, rx.rxErrors());
        }
    }

    @Test
    void transmittedFramesReachTheFileWithoutClose() throws Exception {
        Path file = dir.resolve("live.pcap");
        try (PortDevice tx = open("tx", file.toString())) {
            assertEquals(24, Files.size(file), "the header is written at open");
            PacketBuffer p = new PacketBuffer();
            byte[] f = PcapFiles.frame(100, 5);
            p.load(f, 0, f.length);
            assertTrue(tx.transmit(p));
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (Files.size(file) < 24 + 16 + 100 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(24 + 16 + 100, Files.size(file), "flushed by the timer, not by close");
        }
    }

    @Test
    void closedDeviceRefusesTrafficAndClosesTwice() throws IOException {
        Path file = PcapFiles.write(dir.resolve("c.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, sampleFrames());
        PortDevice dev = open("rx", file.toString(), "tx", dir.resolve("o.pcap").toString());
        dev.close();
        dev.close();
        PacketBatch batch = PacketBatch.owning(8, 9216);
        assertEquals(0, dev.receive(0, batch));
        PacketBuffer p = new PacketBuffer();
        p.load(new byte[60], 0, 60);
        assertFalse(dev.transmit(p));
        Map<String, String> d = dev.details();
        assertEquals("0", d.get("written"));
    }

    @Test
    void txOnlyPortReceivesNothingAndIsNotAGenerator() {
        try (PortDevice dev = open("tx", dir.resolve("t.pcap").toString())) {
            assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)));
            assertFalse(dev.exhausted());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bogus                  | bogus",
        "rx                     | rx",
        "rx /no/such/file.pcap  | /no/such/file.pcap",
        "rx DIR                 | DIR",
        "tx /no/such/dir/o.pcap | /no/such/dir/o.pcap",
        "tx DIR                 | DIR",
        "rx IN loop -1          | -1",
        "rx IN loop many        | many",
        "rx IN loop 99999999999 | 99999999999",
        "rx IN rate fast        | fast",
        "rx IN rate 2G          | 2G",
        "rx IN rate 10x         | 10x",
        "rx IN rate             | rate",
        "tx OUT loop 2          | loop",
        "tx OUT rate 100        | rate",
        "rx IN rx IN            | rx",
        "rx IN tx IN            | IN",
        "''                     | pcap",
    })
    void everyBadWordIsNamedAndNothingIsOpened(String words, String named) throws IOException {
        Path in = PcapFiles.write(dir.resolve("in.pcap"), ByteOrder.LITTLE_ENDIAN, PcapFormat.MAGIC_MICROSECONDS, 1, sampleFrames());
        Path out = dir.resolve("out.pcap");
        List<String> args = new ArrayList<>();
        for (String w : words.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                args.add(w.replace("DIR", dir.toString()).replace("IN", in.toString()).replace("OUT", out.toString()));
            }
        }
        String expectedWord = named.replace("DIR", dir.toString()).replace("IN", in.toString());
        PortSpec spec = new PortSpec("pc0", 1500, MacAddress.ZERO, 1, args);
        NetException e = assertThrows(NetException.class, () -> driver.validate(spec));
        assertTrue(e.getMessage().contains(expectedWord), e.getMessage() + " names " + expectedWord);
        assertTrue(e.getMessage().contains("expected"), e.getMessage() + " gives the accepted form");
        NetException atOpen = assertThrows(NetException.class, () -> driver.open(spec));
        assertEquals(e.getMessage(), atOpen.getMessage());
        assertFalse(Files.exists(out), "nothing was created");
    }
}
