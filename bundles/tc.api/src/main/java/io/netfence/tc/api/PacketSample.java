package io.netfence.tc.api;

/**
 * One sampled packet with psample's metadata: its group and sequence number in the group
 * (PSAMPLE_ATTR_SAMPLE_GROUP, GROUP_SEQ; counted from 0, per group), the input and output port
 * (IIFINDEX, OIFINDEX; 0 when not applicable: the output at ingress), the packet's length
 * (ORIGSIZE), the action's rate (SAMPLE_RATE), the time of the sample (wall clock, nanoseconds
 * since the epoch) and the first bytes of the packet from its link-layer header (DATA, at most the
 * action's {@code trunc} and the group's {@link PsampleGroup#maxBytes()}).
 */
public record PacketSample(int group, long seq, int iifindex, int oifindex, int origSize, int rate,
                           long timestampNanos, byte[] data) {
}
