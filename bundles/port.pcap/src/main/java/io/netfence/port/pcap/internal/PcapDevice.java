package io.netfence.port.pcap.internal;

import io.netfence.net.spi.TokenBucket;
import io.netfence.net.spi.PortDevice;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A port backed by pcap files: queue 0 replays the rx file (optionally looped and paced), transmitted
 * frames are appended to the tx file.
 */
final class PcapDevice implements PortDevice {
    private final PcapOptions options;
    private final PcapReader reader;
    private final PcapWriter writer;
    private final TokenBucket pacer;

    // Receive side: written only by the worker that owns queue 0.
    private long passesDone;
    private long deliveredThisPass;
    private volatile boolean done;
    private volatile long framesRead;
    private volatile long rxErrors;

    private volatile boolean closed;

    PcapDevice(PcapOptions options, PcapReader reader, PcapWriter writer) {
        this.options = options;
        this.reader = reader;
        this.writer = writer;
        this.pacer = reader != null && options.rate() > 0 ? new TokenBucket(options.rate(), System.nanoTime()) : null;
        this.done = reader == null;
    }

    @Override
    public int rxQueues() {
        return 1;
    }

    @Override
    public int receive(int queue, PacketBatch batch) {
        if (queue != 0 || done || closed) {
            return 0;
        }
        int room = batch.capacity() - batch.count();
        if (room <= 0) {
            return 0;
        }
        long now = System.nanoTime();
        int allowed = pacer == null ? room : pacer.take(room, now);
        int added = 0;
        long errors = 0;
        // Every record looked at costs one step, so a run of skipped records cannot hold the worker.
        int steps = room;
        while (added < allowed && steps > 0) {
            PacketBuffer p = batch.next();
            int result = reader.next(p);
            if (result == PcapReader.PACKET) {
                p.rxNanos = now;
                batch.commit();
                added++;
                deliveredThisPass++;
                steps--;
            } else if (result == PcapReader.SKIPPED) {
                errors++;
                steps--;
            } else {
                if (result == PcapReader.BROKEN) {
                    errors++;
                }
                if (!startNextPass()) {
                    done = true;
                    break;
                }
            }
        }
        if (pacer != null && added < allowed) {
            pacer.refund(allowed - added);
        }
        if (added > 0) {
            framesRead += added;
        }
        if (errors > 0) {
            rxErrors += errors;
        }
        return added;
    }

    /** Rewinds for another pass if the loop count allows it and the last pass produced anything. */
    private boolean startNextPass() {
        passesDone++;
        if (options.loop() != 0 && passesDone >= options.loop()) {
            return false;
        }
        // A pass that delivered nothing would deliver nothing forever: stop instead of spinning.
        if (deliveredThisPass == 0) {
            return false;
        }
        deliveredThisPass = 0;
        reader.rewind();
        return true;
    }

    @Override
    public boolean transmit(PacketBuffer packet) {
        return writer != null && !closed && writer.write(packet.data, packet.offset, packet.length);
    }

    @Override
    public long rxErrors() {
        return rxErrors;
    }

    /** True once a replay has delivered its last frame; a tx-only port produces nothing and is never exhausted. */
    @Override
    public boolean exhausted() {
        return reader != null && done;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        if (reader != null) {
            d.put("rx", reader.path().toString());
            d.put("timestamps", reader.nanosecond() ? "ns" : "us");
            d.put("loop", Long.toString(options.loop()));
            d.put("rate", Long.toString(options.rate()));
            d.put("read", Long.toString(framesRead));
            d.put("exhausted", Boolean.toString(done));
        }
        if (writer != null) {
            d.put("tx", writer.path().toString());
            d.put("written", Long.toString(writer.frames()));
            String failure = writer.failure();
            if (failure != null) {
                d.put("tx_error", failure);
            }
        }
        return d;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (reader != null) {
            reader.close();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
