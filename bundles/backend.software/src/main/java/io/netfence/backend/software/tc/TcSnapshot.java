package io.netfence.backend.software.tc;

import io.netfence.tc.api.TcHook;

/** What the packet path reads, published whole: the compiled block serving each port's ingress and egress. */
final class TcSnapshot {
    static final TcSnapshot EMPTY = new TcSnapshot(new CompiledBlock[0], new CompiledBlock[0]);

    private final CompiledBlock[] ingress;
    private final CompiledBlock[] egress;

    /** Arrays indexed by port index; null where no block (or an empty one) is bound. */
    TcSnapshot(CompiledBlock[] ingress, CompiledBlock[] egress) {
        this.ingress = ingress;
        this.egress = egress;
    }

    CompiledBlock block(TcHook hook, int port) {
        CompiledBlock[] byPort = hook == TcHook.INGRESS ? ingress : egress;
        return port >= 0 && port < byPort.length ? byPort[port] : null;
    }
}
