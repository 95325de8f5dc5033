package io.netfence.tc.api;

/**
 * Where filters are added, listed and deleted: a device's hook ({@code dev eth0 ingress}), which
 * resolves to that hook's block (its own, or the shared one its qdisc names), or a shared block by
 * number ({@code block 10}).
 */
public record BlockRef(String dev, TcHook hook, long block) {
    public BlockRef {
        if (dev != null) {
            if (hook == null) {
                throw new TcException("parent: expected ingress or egress (ffff:fff2 or ffff:fff3)");
            }
            if (block != 0) {
                throw new TcException("block: give either dev DEV or block N, not both");
            }
        } else if (block <= 0 || block > 0xFFFF_FFFFL) {
            throw new TcException("block: expected a number from 1 to 4294967295");
        }
    }

    public static BlockRef of(String dev, TcHook hook) {
        return new BlockRef(dev, hook, 0);
    }

    public static BlockRef shared(long block) {
        return new BlockRef(null, null, block);
    }

    public boolean isShared() {
        return dev == null;
    }

    @Override
    public String toString() {
        return dev == null ? "block " + block : "dev " + dev + " " + hook.word();
    }
}
