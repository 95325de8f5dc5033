package io.netfence.port.pcap.internal;

import static io.netfence.port.pcap.internal.PcapFormat.FILE_HEADER_LENGTH;
import static io.netfence.port.pcap.internal.PcapFormat.MAX_RECORD_LENGTH;
import static io.netfence.port.pcap.internal.PcapFormat.RECORD_HEADER_LENGTH;

import io.netfence.net.api.NetException;
import io.netfence.packet.PacketBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the records of a classic pcap file into packet buffers. Records are read through one
 * direct buffer with positional reads and copied straight into {@link PacketBuffer#data}, so
 * reading allocates nothing per packet. Broken input never throws: a truncated or garbage record
 * ends the file at that point and is reported once as {@link #BROKEN}. One thread at a time.
 */
final class PcapReader implements AutoCloseable {
    /** {@link #next} filled the buffer with a frame. */
    static final int PACKET = 0;
    /** {@link #next} skipped a record that is empty or larger than the buffer. */
    static final int SKIPPED = 1;
    /** {@link #next} reached the end of the records. */
    static final int END = 2;
    /** {@link #next} found a truncated or garbage record; the records end there from now on. */
    static final int BROKEN = 3;

    /** Holds the largest legal record with its header, so any record fits once compacted. */
    private static final int BUFFER_SIZE = 1 << 19;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final boolean nanosecond;
    private final int fcsLength;
    /** File offset where the records stop: the file size, or the start of the first broken record. */
    private long end;
    /** File offset of {@code buffer} index 0. */
    private long bufferBase;
    private int position;
    private int limit;

    private PcapReader(Path path, FileChannel channel, ByteBuffer buffer, boolean nanosecond, int fcsLength, long end) {
        this.path = path;
        this.channel = channel;
        this.buffer = buffer;
        this.nanosecond = nanosecond;
        this.fcsLength = fcsLength;
        this.end = end;
        rewind();
    }

    /** Opens {@code path} and checks its file header; refuses anything but an Ethernet pcap file. */
    static PcapReader open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NetException("pcap rx file \"" + path + "\" does not exist.");
        } catch (AccessDeniedException e) {
            throw new NetException("pcap rx file \"" + path + "\" cannot be read: permission denied.");
        } catch (IOException | UnsupportedOperationException e) {
            throw new NetException("pcap rx file \"" + path + "\" cannot be opened: " + e.getMessage() + ".", e);
        }
        try {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
            long size = channel.size();
            buffer.limit(FILE_HEADER_LENGTH);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // positional reads until the header is complete or the file ends
            }
            int magicBigEndian = buffer.order(ByteOrder.BIG_ENDIAN).getInt(0);
            if (buffer.position() >= 4 && magicBigEndian == PcapFormat.PCAPNG_SECTION_HEADER) {
                throw new NetException("pcap rx file \"" + path + "\" is a pcapng file; only classic pcap is read, so convert it first with: editcap -F pcap IN OUT");
            }
            if (buffer.position() < FILE_HEADER_LENGTH) {
                throw new NetException("pcap rx file \"" + path + "\" is too short (" + size + " bytes) to hold a pcap file header.");
            }
            ByteOrder order;
            if (magicBigEndian == PcapFormat.MAGIC_MICROSECONDS || magicBigEndian == PcapFormat.MAGIC_NANOSECONDS) {
                order = ByteOrder.BIG_ENDIAN;
            } else {
                order = ByteOrder.LITTLE_ENDIAN;
            }
            buffer.order(order);
            int magic = buffer.getInt(0);
            if (magic != PcapFormat.MAGIC_MICROSECONDS && magic != PcapFormat.MAGIC_NANOSECONDS) {
                throw new NetException(String.format(
                        "pcap rx file \"%s\" is not a pcap file (magic 0x%08x; expected 0xa1b2c3d4 or 0xa1b23c4d in either byte order).",
                        path, magicBigEndian));
            }
            int major = buffer.getShort(4) & 0xFFFF;
            int minor = buffer.getShort(6) & 0xFFFF;
            if (major != PcapFormat.VERSION_MAJOR) {
                throw new NetException("pcap rx file \"" + path + "\" has format version " + major + "." + minor + "; only version 2.x is read.");
            }
            int linkField = buffer.getInt(20);
            int linkType = linkField & 0xFFFF;
            if (linkType != PcapFormat.LINKTYPE_ETHERNET) {
                throw new NetException("pcap rx file \"" + path + "\" holds link type " + linkType
                        + ", not Ethernet; only LINKTYPE_ETHERNET (1) captures can be replayed on a port.");
            }
            int fcsLength = (linkField & PcapFormat.LINKTYPE_FCS_PRESENT) != 0 ? ((linkField >>> 29) & 7) * 2 : 0;
            buffer.clear();
            return new PcapReader(path, channel, buffer, magic == PcapFormat.MAGIC_NANOSECONDS, fcsLength, size);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new NetException("pcap rx file \"" + path + "\" cannot be read: " + e.getMessage() + ".", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    Path path() {
        return path;
    }

    boolean nanosecond() {
        return nanosecond;
    }

    /** Starts again at the first record (the file end found so far is kept). */
    void rewind() {
        bufferBase = FILE_HEADER_LENGTH;
        position = 0;
        limit = 0;
    }

    /**
     * Reads the next record into {@code p} (a buffer fresh from {@link io.netfence.packet.PacketBatch#next()}):
     * returns {@link #PACKET}, {@link #SKIPPED}, {@link #END} or {@link #BROKEN}.
     */
    int next(PacketBuffer p) {
        long recordStart = bufferBase + position;
        long left = end - recordStart;
        if (left <= 0) {
            return END;
        }
        if (left < RECORD_HEADER_LENGTH || !fill(RECORD_HEADER_LENGTH)) {
            return broken(recordStart);
        }
        int captured = buffer.getInt(position + 8);
        int original = buffer.getInt(position + 12);
        // Unsigned compares: a negative length read from garbage is a huge one.
        if (Integer.compareUnsigned(captured, MAX_RECORD_LENGTH) > 0 || Integer.compareUnsigned(captured, original) > 0
                || left - RECORD_HEADER_LENGTH < captured) {
            return broken(recordStart);
        }
        int recordLength = RECORD_HEADER_LENGTH + captured;
        int frameLength = fcsLength == 0 ? captured : Math.min(captured, original - fcsLength);
        if (frameLength <= 0 || frameLength > p.data.length - p.offset) {
            skip(recordLength);
            return SKIPPED;
        }
        if (!fill(recordLength)) {
            return broken(recordStart);
        }
        buffer.get(position + RECORD_HEADER_LENGTH, p.data, p.offset, frameLength);
        p.length = frameLength;
        position += recordLength;
        return PACKET;
    }

    private int broken(long recordStart) {
        end = recordStart;
        return BROKEN;
    }

    private void skip(int n) {
        if (n <= limit - position) {
            position += n;
        } else {
            bufferBase += position + n;
            position = 0;
            limit = 0;
        }
    }

    /** Makes at least {@code n} bytes available at {@code position}; false if the file ends first or a read fails. */
    private boolean fill(int n) {
        if (limit - position >= n) {
            return true;
        }
        int kept = limit - position;
        if (position > 0) {
            buffer.put(0, buffer, position, kept);
            bufferBase += position;
            position = 0;
            limit = kept;
        }
        try {
            buffer.limit(buffer.capacity()).position(limit);
            while (limit < n) {
                int read = channel.read(buffer, bufferBase + limit);
                if (read <= 0) {
                    return false;
                }
                limit += read;
            }
            return true;
        } catch (IOException e) {
            // A failing read (file gone, channel closed by an interrupt) ends the stream like a truncation.
            return false;
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing more to release: the descriptor is gone either way.
        }
    }
}
