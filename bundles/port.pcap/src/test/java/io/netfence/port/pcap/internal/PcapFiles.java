package io.netfence.port.pcap.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Hand-built pcap files for the reader tests, written independently of {@link PcapWriter}. */
final class PcapFiles {
    private PcapFiles() {
    }

    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (seed * 31 + i * 7);
        }
        return f;
    }

    static Path write(Path file, ByteOrder order, int magic, int linkField, List<byte[]> frames) throws IOException {
        int size = 24;
        for (byte[] f : frames) {
            size += 16 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkField);
        int t = 1_700_000_000;
        for (byte[] f : frames) {
            b.putInt(t++).putInt(magic == PcapFormat.MAGIC_NANOSECONDS ? 999_999_999 : 999_999).putInt(f.length).putInt(f.length).put(f);
        }
        Files.write(file, b.array());
        return file;
    }
}
