package io.netfence.backend.software.tc;

import io.netfence.tc.api.TcHook;

/**
 * What the packet path reads, published whole: the compiled block serving each port's ingress and
 * egress, and which ports are headerless in Linux (their Ethernet header is not counted).
 */
final class TcSnapshot {
    static final TcSnapshot EMPTY = new TcSnapshot(new CompiledBlock[0], new CompiledBlock[0], new boolean[0]);
    /** ETH_HLEN: what Linux's skb->len lacks at ingress (eth_type_trans pulled it) and on headerless devices. */
    static final int ETH_HLEN = 14;

    private final CompiledBlock[] ingress;
    private final CompiledBlock[] egress;
    private final boolean[] headerless;

    /** Arrays indexed by port index; null where no block (or an empty one) is bound. */
    TcSnapshot(CompiledBlock[] ingress, CompiledBlock[] egress, boolean[] headerless) {
        this.ingress = ingress;
        this.egress = egress;
        this.headerless = headerless;
    }

    /**
     * Bytes of the frame that byte counters and policers leave out at this hook, as Linux counts
     * skb->len: the Ethernet header at ingress (pulled before tc runs) and on a headerless device
     * (an xfrm interface has none); nothing at egress of an Ethernet port, where tc sees it.
     */
    int uncounted(TcHook hook, int port) {
        boolean noHeader = port >= 0 && port < headerless.length && headerless[port];
        return hook == TcHook.INGRESS || noHeader ? ETH_HLEN : 0;
    }

    /** The Ethernet header a headerless device's frames carry here and not in Linux, else 0. */
    int headerBytesMissing(int port) {
        return port >= 0 && port < headerless.length && headerless[port] ? ETH_HLEN : 0;
    }

    CompiledBlock block(TcHook hook, int port) {
        CompiledBlock[] byPort = hook == TcHook.INGRESS ? ingress : egress;
        return port >= 0 && port < byPort.length ? byPort[port] : null;
    }
}
