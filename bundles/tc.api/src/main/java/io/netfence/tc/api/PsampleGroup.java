package io.netfence.tc.api;

/**
 * A sample group: its number, the sequence number its next sample gets (psample's group seq),
 * the samples held unread, how many it can hold, the bytes of a packet a sample keeps at most
 * (see {@link PacketSample#data()}), and the samples dropped because the queue was full.
 */
public record PsampleGroup(int group, long seq, int held, int capacity, int maxBytes, long dropped) {
}
