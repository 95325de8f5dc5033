package io.netfence.tc.api;

/**
 * A classifier qdisc on a device: {@code clsact} (ingress and egress hooks, handle ffff:, parent
 * ffff:fff1) or {@code ingress} (ingress hook only). A block number above 0 makes that hook use
 * the shared block of that number ({@code ingress_block N}, {@code egress_block N}); 0 gives the
 * hook a block of its own.
 */
public record Qdisc(String dev, Kind kind, int ingressBlock, int egressBlock) {
    public enum Kind {
        CLSACT("clsact"),
        INGRESS("ingress");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public Qdisc {
        if (dev == null || dev.isEmpty()) {
            throw new TcException("dev: expected a device name");
        }
        if (kind == null) {
            throw new TcException("qdisc: expected clsact or ingress");
        }
        if (ingressBlock < 0 || egressBlock < 0) {
            throw new TcException("block: expected a number from 1 to 4294967295");
        }
        if (kind == Kind.INGRESS && egressBlock != 0) {
            throw new TcException("egress_block: the ingress qdisc has no egress hook; use clsact");
        }
    }

    /** True when the qdisc provides {@code hook}. */
    public boolean has(TcHook hook) {
        return hook == TcHook.INGRESS || kind == Kind.CLSACT;
    }

    /** The shared block {@code hook} uses, 0 for its own. */
    public int block(TcHook hook) {
        return hook == TcHook.INGRESS ? ingressBlock : egressBlock;
    }
}
