package io.netfence.tc.api;

/**
 * {@code police}: a token bucket in bytes ({@code rate R burst B [mtu M]}) or in packets
 * ({@code pkts_rate R pkts_burst B}). A conforming packet gets {@code conform}, one over the limit
 * {@code exceed} ({@code conform-exceed EXCEED[/CONFORM]}; tc's default is {@code reclassify} for
 * exceed and {@code ok}... but in practice {@code drop/pipe} or {@code drop/ok} is written).
 * {@link #control()} is the exceed action, as tc reports it.
 */
public record PoliceAction(int index, long rateBytesPerSecond, long burstBytes, long packetsPerSecond, long packetBurst, int mtu,
        Control conform, Control exceed) implements Action {
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
        return new PoliceAction(i, rateBytesPerSecond, burstBytes, packetsPerSecond, packetBurst, mtu, conform, exceed);
    }
}
