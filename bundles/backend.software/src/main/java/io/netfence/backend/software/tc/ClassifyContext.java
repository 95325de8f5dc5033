package io.netfence.backend.software.tc;

import io.netfence.packet.Bytes;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.FlowKey;
import io.netfence.packet.PacketBuffer;

/**
 * Per-worker scratch for classifying one packet at a time: the clock of the batch, the number a
 * goto/jump verdict carries, whether the frame was edited since it was dissected, and the flower
 * key words extracted from it. One per thread (stages run on several workers at once), reused for
 * every packet, so the packet path allocates nothing.
 */
final class ClassifyContext {
    /** Wall clock of the batch, for lastUsed. */
    long nowMillis;
    /** Monotonic clock of the batch, for policers. */
    long nowNanos;
    /** The chain of a {@link Verdict#GOTO_CHAIN} or the count of a {@link Verdict#JUMP}. */
    int value;
    /** A mirred redirect set the packet's outPort or handed it to another port's receive path. */
    boolean redirected;
    /** The packet path's context for mirrors and ingress redirects; null outside the dataplane. */
    io.netfence.net.spi.StageContext stage;
    /** The frame's EtherType as tc's {@code protocol} sees it: the outer tag's TPID for tagged frames. */
    int frameProtocol;
    /** The dissector's verdict on the frame as it is now (-1: well formed). */
    int defect = -1;
    /** Bytes of the frame that counters and policers leave out at this hook (see {@link TcSnapshot#uncounted}). */
    int uncounted;
    /** The port whose hook is classifying, and whether that hook is ingress (for psample's iif/oif). */
    int port;
    boolean ingress;
    /** Bytes at the frame's start the Linux device has not got: the Ethernet header of a headerless device's frames. */
    int fakeHeader;

    private boolean edited;
    private boolean editedSinceStart;
    private boolean wordsValid;
    private final long[] flowerWords = new long[FlowerKey.WORDS];

    /** The packet's length as Linux's skb->len at this hook: what byte counters and policers see. */
    int countedLength(PacketBuffer p) {
        return Math.max(0, p.length - uncounted);
    }

    void beginBatch(long millis, long nanos) {
        nowMillis = millis;
        nowNanos = nanos;
    }

    /** Starts on a packet whose key describes its frame. */
    void beginPacket(PacketBuffer p) {
        redirected = false;
        edited = false;
        editedSinceStart = false;
        wordsValid = false;
        defect = -1;
        frameProtocol = protocolOf(p);
    }

    /** An action changed the frame: the key is stale until {@link #refresh}. */
    void edited() {
        edited = true;
        editedSinceStart = true;
    }

    boolean editedSinceStart() {
        return editedSinceStart;
    }

    /** Dissects the frame again if an action changed it, so the key matches the bytes. */
    void refresh(PacketBuffer p) {
        if (edited) {
            edited = false;
            wordsValid = false;
            defect = FlowDissector.dissect(p);
            frameProtocol = protocolOf(p);
        }
    }

    /** The packed flower key of the packet (see {@link FlowerKey}), extracted once per key version. */
    long[] flowerWords(PacketBuffer p) {
        if (!wordsValid) {
            FlowerKey.extract(p, flowerWords);
            wordsValid = true;
        }
        return flowerWords;
    }

    /** Linux's tc_skb_protocol: the outer VLAN tag's type for a tagged frame, else the EtherType. */
    static int protocolOf(PacketBuffer p) {
        FlowKey k = p.key;
        return k.vlanId >= 0 ? Bytes.u16(p.data, k.l2Offset + 12) : k.ethType;
    }

    /** Flower's vlan_ethtype: the type behind the outer tag (the inner TPID for QinQ), 0 untagged. */
    static int vlanEthTypeOf(PacketBuffer p) {
        FlowKey k = p.key;
        if (k.vlanId < 0) {
            return 0;
        }
        return k.cvlanId >= 0 ? Bytes.u16(p.data, k.l2Offset + 16) : k.ethType;
    }
}
