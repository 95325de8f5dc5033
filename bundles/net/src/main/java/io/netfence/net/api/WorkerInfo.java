package io.netfence.net.api;

import java.util.List;

/** One dataplane worker thread: the RX queues it polls ("eth0/0") and what it has done. */
public record WorkerInfo(int id, List<String> queues, long batches, long packets, long idlePolls) {
    public WorkerInfo {
        queues = List.copyOf(queues);
    }
}
