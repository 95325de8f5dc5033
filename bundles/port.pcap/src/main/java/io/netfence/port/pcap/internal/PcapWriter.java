package io.netfence.port.pcap.internal;

import io.netfence.net.api.NetException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames to a classic pcap file (microsecond timestamps, Ethernet, host byte order) through
 * one buffer. Any thread may {@link #write}; a lock serialises them (held only for a copy into the
 * buffer, and for the file write when the buffer is full). A virtual thread writes the buffer out
 * every {@value #FLUSH_INTERVAL_MILLIS} ms so a capture is never more than that behind.
 */
final class PcapWriter implements AutoCloseable {
    static final long FLUSH_INTERVAL_MILLIS = 50;
    /** Holds the largest record (snaplen 262144 plus its header), so any frame fits once the buffer is flushed. */
    private static final int BUFFER_SIZE = 1 << 19;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread flusher;

    // Guarded by lock.
    private long frames;
    private long wallAnchorMicros;
    private long nanoAnchor;
    private long lastMicros;
    private String failure;
    private boolean closed;

    private PcapWriter(Path path, FileChannel channel, String portName) {
        this.path = path;
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.nativeOrder());
        anchorClock();
        this.flusher = Thread.ofVirtual().name("pcap-tx-flush-" + portName).unstarted(this::flushPeriodically);
    }

    /** Creates (or truncates) {@code path} and writes the pcap file header. */
    static PcapWriter open(Path path, String portName) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            throw new NetException("pcap tx file \"" + path + "\" cannot be created: " + e + ".", e);
        }
        PcapWriter writer = new PcapWriter(path, channel, portName);
        ByteBuffer header = writer.buffer;
        header.putInt(0, PcapFormat.MAGIC_MICROSECONDS);
        header.putShort(4, (short) PcapFormat.VERSION_MAJOR);
        header.putShort(6, (short) PcapFormat.VERSION_MINOR);
        header.putInt(8, 0);
        header.putInt(12, 0);
        header.putInt(16, PcapFormat.MAX_RECORD_LENGTH);
        header.putInt(20, PcapFormat.LINKTYPE_ETHERNET);
        try {
            writer.writeOut(PcapFormat.FILE_HEADER_LENGTH);
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the write failure is the one to report
            }
            throw new NetException("pcap tx file \"" + path + "\" cannot be written: " + e + ".", e);
        }
        writer.flusher.start();
        return writer;
    }

    Path path() {
        return path;
    }

    /** Appends one frame with the current time; false if the writer is closed or the file failed. */
    boolean write(byte[] data, int offset, int length) {
        int recordLength = PcapFormat.RECORD_HEADER_LENGTH + length;
        if (length <= 0 || length > PcapFormat.MAX_RECORD_LENGTH) {
            return false;
        }
        lock.lock();
        try {
            if (closed || failure != null) {
                return false;
            }
            int fill = buffer.position();
            if (fill + recordLength > buffer.capacity()) {
                if (!flushLocked()) {
                    return false;
                }
                fill = 0;
            }
            long micros = Math.max(lastMicros, wallAnchorMicros + (System.nanoTime() - nanoAnchor) / 1000);
            lastMicros = micros;
            buffer.putInt(fill, (int) (micros / MICROS_PER_SECOND));
            buffer.putInt(fill + 4, (int) (micros % MICROS_PER_SECOND));
            buffer.putInt(fill + 8, length);
            buffer.putInt(fill + 12, length);
            buffer.put(fill + PcapFormat.RECORD_HEADER_LENGTH, data, offset, length);
            buffer.position(fill + recordLength);
            frames++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    long frames() {
        lock.lock();
        try {
            return frames;
        } finally {
            lock.unlock();
        }
    }

    /** Why writing stopped, or null. */
    String failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    private void flushPeriodically() {
        while (true) {
            // parkNanos, not sleep: interrupting a thread inside a FileChannel write would close the channel.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(FLUSH_INTERVAL_MILLIS));
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                if (buffer.position() > 0) {
                    flushLocked();
                }
                anchorClock();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean flushLocked() {
        if (failure != null) {
            return false;
        }
        try {
            writeOut(buffer.position());
            return true;
        } catch (IOException e) {
            failure = e.toString();
            return false;
        }
    }

    private void writeOut(int length) throws IOException {
        buffer.position(0).limit(length);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    /** Re-reads the wall clock (on the flusher, never per frame): nanoTime gives the sub-millisecond part. */
    private void anchorClock() {
        Instant now = Instant.now();
        wallAnchorMicros = now.getEpochSecond() * MICROS_PER_SECOND + now.getNano() / 1000;
        nanoAnchor = System.nanoTime();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (buffer.position() > 0) {
                flushLocked();
            }
            try {
                channel.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e.toString();
                }
            }
        } finally {
            lock.unlock();
        }
        LockSupport.unpark(flusher);
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
