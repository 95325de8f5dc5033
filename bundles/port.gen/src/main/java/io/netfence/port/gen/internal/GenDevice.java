package io.netfence.port.gen.internal;

import io.netfence.net.spi.TokenBucket;
import io.netfence.net.spi.PortDevice;
import io.netfence.packet.MacAddress;
import io.netfence.packet.IpAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A traffic generator: every receive copies the template frame into the batch buffers and varies
 * the flow. Each queue has its own share of the rate and its own flow cursor, so several workers
 * can each own a queue; the packet count is shared, reserved a batch at a time.
 */
final class GenDevice implements PortDevice {
    private final GenOptions options;
    private final FrameTemplate template;
    private final long dmac;
    private final long smac;
    private final Queue[] queues;
    /** Packets left to generate when {@code count} is set; may go below zero when queues race for the last ones. */
    private final AtomicLong remaining;
    private volatile boolean closed;

    /** State of one queue, touched only by the worker that owns the queue (details() reads the volatiles). */
    private static final class Queue {
        final TokenBucket bucket;
        int flow;
        volatile long generated;
        volatile long rxErrors;

        Queue(TokenBucket bucket, int flow) {
            this.bucket = bucket;
            this.flow = flow;
        }
    }

    GenDevice(GenOptions options, FrameTemplate template, long dmac, long smac, int queueCount) {
        this.options = options;
        this.template = template;
        this.dmac = dmac;
        this.smac = smac;
        this.remaining = options.count() > 0 ? new AtomicLong(options.count()) : null;
        this.queues = new Queue[queueCount];
        long now = System.nanoTime();
        for (int q = 0; q < queueCount; q++) {
            TokenBucket bucket = null;
            if (options.rate() > 0) {
                // Split the port's rate over its queues; the remainder goes to the first ones.
                long share = options.rate() / queueCount + (q < options.rate() % queueCount ? 1 : 0);
                bucket = new TokenBucket(share, now);
            }
            // Start the queues at different flows so they do not all send flow 0 at once.
            int firstFlow = (int) ((long) q * template.flows() / queueCount);
            queues[q] = new Queue(bucket, firstFlow);
        }
    }

    @Override
    public int rxQueues() {
        return queues.length;
    }

    @Override
    public int receive(int queue, PacketBatch batch) {
        if (closed || queue < 0 || queue >= queues.length) {
            return 0;
        }
        int room = batch.capacity() - batch.count();
        if (room <= 0 || (remaining != null && remaining.get() <= 0)) {
            return 0;
        }
        Queue q = queues[queue];
        long now = System.nanoTime();
        int wanted = q.bucket == null ? room : q.bucket.take(room, now);
        int granted = wanted;
        if (remaining != null && wanted > 0) {
            long before = remaining.getAndAdd(-wanted);
            granted = (int) Math.max(0, Math.min(wanted, before));
        }
        if (q.bucket != null && granted < wanted) {
            q.bucket.refund(wanted - granted);
        }
        if (granted == 0) {
            return 0;
        }
        int length = template.length();
        int flows = template.flows();
        int flow = q.flow;
        int added = 0;
        int oversize = 0;
        for (int i = 0; i < granted; i++) {
            PacketBuffer p = batch.next();
            if (length > p.data.length - p.offset) {
                oversize++;
                continue;
            }
            template.copyTo(p.data, p.offset, flow);
            p.length = length;
            p.rxNanos = now;
            batch.commit();
            added++;
            flow = flow + 1 == flows ? 0 : flow + 1;
        }
        q.flow = flow;
        q.generated += added;
        if (oversize > 0) {
            q.rxErrors += oversize;
        }
        return added;
    }

    /** A generator is a source only: what is sent into it is dropped. */
    @Override
    public boolean transmit(PacketBuffer packet) {
        return false;
    }

    @Override
    public long rxErrors() {
        long sum = 0;
        for (Queue q : queues) {
            sum += q.rxErrors;
        }
        return sum;
    }

    @Override
    public boolean exhausted() {
        return remaining != null && remaining.get() <= 0;
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("rate", Long.toString(options.rate()));
        d.put("count", Long.toString(options.count()));
        d.put("size", Integer.toString(template.length()));
        d.put("flows", Integer.toString(template.flows()));
        d.put("vary", template.variation().name().toLowerCase(java.util.Locale.ROOT));
        if (options.template() != null) {
            d.put("template", options.template().toString());
        } else {
            d.put("proto", GenOptions.protocolName(options.protocol()));
            d.put("src", IpAddress.v4(options.src()).toString());
            d.put("dst", IpAddress.v4(options.dst()).toString());
            d.put("smac", new MacAddress(smac).toString());
            d.put("dmac", new MacAddress(dmac).toString());
            if (options.protocol() != GenOptions.ICMP) {
                d.put("sport", Integer.toString(options.sport()));
                d.put("dport", Integer.toString(options.dport()));
            }
            if (options.vlan() != 0) {
                d.put("vlan", Integer.toString(options.vlan()));
            }
        }
        d.put("queues", Integer.toString(queues.length));
        long generated = 0;
        for (Queue q : queues) {
            generated += q.generated;
        }
        d.put("generated", Long.toString(generated));
        return d;
    }

    @Override
    public void close() {
        closed = true;
    }
}
