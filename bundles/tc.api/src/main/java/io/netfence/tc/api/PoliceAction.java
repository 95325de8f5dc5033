package io.netfence.tc.api;

/**
 * {@code police}: a token bucket in bytes ({@code rate R burst B [mtu M] [peakrate P]}) or in
 * packets ({@code pkts_rate R pkts_burst B}). {@code peakrate} (bytes per second, 0: none) adds a
 * second bucket of {@code mtu} bytes refilled at that rate, as the kernel's act_police: a packet
 * conforms only if both hold its tokens. A conforming packet gets {@code conform}, one over the limit
 * {@code exceed} ({@code conform-exceed EXCEED[/CONFORM]}; tc's default is {@code reclassify} for
 * exceed and {@code ok}... but in practice {@code drop/pipe} or {@code drop/ok} is written).
 * {@link #control()} is the exceed action, as tc reports it.
 */
public record PoliceAction(int index, long rateBytesPerSecond, long burstBytes, long packetsPerSecond, long packetBurst, int mtu,
        Control conform, Control exceed, long peakrateBytesPerSecond) implements Action {
    public PoliceAction(int index, long rateBytesPerSecond, long burstBytes, long packetsPerSecond, long packetBurst, int mtu, Control conform,
            Control exceed) {
        this(index, rateBytesPerSecond, burstBytes, packetsPerSecond, packetBurst, mtu, conform, exceed, 0);
    }

    public PoliceAction {
        boolean bytes = rateBytesPerSecond > 0;
        boolean packets = packetsPerSecond > 0;
        if (bytes == packets) {
            throw new TcException("police: expected rate RATE burst BYTES, or pkts_rate RATE pkts_burst PACKETS");
        }
        if (bytes && burstBytes <= 0) {
            throw new TcException("burst: expected the bucket size in bytes (burst 10k)");
        }
        if (packets && packetBurst <= 0) {
            throw new TcException("pkts_burst: expected the bucket size in packets");
        }
        if (mtu < 0) {
            throw new TcException("mtu: expected bytes");
        }
        if (peakrateBytesPerSecond < 0 || (peakrateBytesPerSecond > 0 && (!bytes || mtu == 0))) {
            throw new TcException("peakrate: needs rate and mtu ('mtu' is required, if 'peakrate' is requested)");
        }
        if (conform == null) {
            conform = Control.OK;
        }
        if (exceed == null) {
            exceed = Control.RECLASSIFY;
        }
    }

    @Override
    public String kind() {
        return "police";
    }

    @Override
    public Control control() {
        return exceed;
    }

    @Override
    public Action withIndex(int i) {
        return new PoliceAction(i, rateBytesPerSecond, burstBytes, packetsPerSecond, packetBurst, mtu, conform, exceed, peakrateBytesPerSecond);
    }
}
