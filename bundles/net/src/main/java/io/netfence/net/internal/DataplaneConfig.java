package io.netfence.net.internal;

import io.netfence.net.spi.PacketStage;

/**
 * An immutable snapshot of everything the packet path needs from the control plane apart from
 * the FIBs, the next-hop table and the neighbour table (which are concurrent structures of their
 * own). Published through {@link Dataplane#config}; see {@link Dataplane} for the memory-ordering
 * argument. Arrays are never written after construction.
 */
final class DataplaneConfig {
    private static final int[] NONE = new int[0];

    /** Increases with every publication; packet threads report the one they use (grace periods). */
    final long generation;
    /** Links by ifindex; null where there is none. */
    final PortView[] ports;
    /** Per worker id: the (ifindex, rx queue) pairs it polls. */
    final int[][] workerPorts;
    final int[][] workerQueues;
    final PacketStage[] ingress;
    final PacketStage[] egress;

    DataplaneConfig(long generation, PortView[] ports, int[][] workerPorts, int[][] workerQueues,
                    PacketStage[] ingress, PacketStage[] egress) {
        this.generation = generation;
        this.ports = ports;
        this.workerPorts = workerPorts;
        this.workerQueues = workerQueues;
        this.ingress = ingress;
        this.egress = egress;
    }

    /** The same configuration under a new generation (used to open a grace period). */
    DataplaneConfig withGeneration(long g) {
        return new DataplaneConfig(g, ports, workerPorts, workerQueues, ingress, egress);
    }

    PortView port(int index) {
        PortView[] p = ports;
        return index >= 0 && index < p.length ? p[index] : null;
    }

    int[] portsOf(int worker) {
        return worker < workerPorts.length ? workerPorts[worker] : NONE;
    }

    int[] queuesOf(int worker) {
        return worker < workerQueues.length ? workerQueues[worker] : NONE;
    }
}
