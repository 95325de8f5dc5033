package io.netfence.port.gen.internal;

import io.netfence.net.api.NetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads the first frame of a classic pcap file (either byte order, micro- or nanosecond magic, Ethernet only). */
final class TemplateReader {
    private static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    private static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int FILE_HEADER_LENGTH = 24;
    private static final int RECORD_HEADER_LENGTH = 16;

    private TemplateReader() {
    }

    static byte[] firstFrame(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = read(channel, 0, FILE_HEADER_LENGTH + RECORD_HEADER_LENGTH);
            if (header.limit() < FILE_HEADER_LENGTH) {
                throw refuse(path, "is too short to be a pcap file");
            }
            int magic = header.order(ByteOrder.BIG_ENDIAN).getInt(0);
            if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
                magic = header.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                if (magic != MAGIC_MICROSECONDS && magic != MAGIC_NANOSECONDS) {
                    throw refuse(path, "is not a classic pcap file (pcapng must be converted with editcap -F pcap first)");
                }
            }
            int linkType = header.getInt(20) & 0xFFFF;
            if (linkType != LINKTYPE_ETHERNET) {
                throw refuse(path, "holds link type " + linkType + ", not Ethernet (LINKTYPE_ETHERNET, 1)");
            }
            if (header.limit() < FILE_HEADER_LENGTH + RECORD_HEADER_LENGTH) {
                throw refuse(path, "holds no frame");
            }
            int captured = header.getInt(FILE_HEADER_LENGTH + 8);
            if (captured < 14 || captured > GenOptions.MAX_SIZE) {
                throw refuse(path, "starts with a frame of " + Integer.toUnsignedString(captured)
                        + " bytes; a template frame must be 14-" + GenOptions.MAX_SIZE + " bytes");
            }
            ByteBuffer frame = read(channel, FILE_HEADER_LENGTH + RECORD_HEADER_LENGTH, captured);
            if (frame.limit() < captured) {
                throw refuse(path, "ends inside its first frame");
            }
            byte[] bytes = new byte[captured];
            frame.get(0, bytes);
            return bytes;
        } catch (IOException e) {
            throw new NetException("template \"" + path + "\" cannot be read: " + e + ".", e);
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                break;
            }
        }
        return b.flip();
    }

    private static NetException refuse(Path path, String why) {
        return new NetException("template \"" + path + "\" " + why + ".");
    }
}
