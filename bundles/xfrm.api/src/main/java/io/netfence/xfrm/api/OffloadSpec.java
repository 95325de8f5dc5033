package io.netfence.xfrm.api;

/**
 * {@code offload [crypto|packet] dev DEV dir in|out}: ask a device to take the SA. Crypto offload
 * leaves framing to software and falls back to software silently when the device refuses (the
 * refusal is still recorded and shown); packet offload makes the device do everything, and a
 * refusal is an error to the user, as in Linux.
 */
public record OffloadSpec(Type type, String device, XfrmDirection direction) {
    public enum Type {
        CRYPTO, PACKET;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public OffloadSpec {
        if (type == null || device == null || device.isEmpty()) {
            throw new IllegalArgumentException("offload needs a type and a dev");
        }
        if (direction == XfrmDirection.FWD) {
            throw new IllegalArgumentException("offload dir is in or out");
        }
    }
}
