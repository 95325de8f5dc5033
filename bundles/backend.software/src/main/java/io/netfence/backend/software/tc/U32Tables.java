package io.netfence.backend.software.tc;

/**
 * The u32 hash tables of a block (Linux keeps them per block, so a link may reach a table made at
 * another prio): table id to buckets of nodes, each bucket ordered by handle. The root table of
 * each u32 instance is not here; it belongs to its {@link U32Table}.
 */
final class U32Tables {
    static final U32Tables NONE = new U32Tables(new U32Node[0][][]);

    private final U32Node[][][] byId;

    /** {@code byId[table]} holds the buckets of that table, null where no table exists. */
    U32Tables(U32Node[][][] byId) {
        this.byId = byId;
    }

    /** The buckets of table {@code id}, null if no filter created it. */
    U32Node[][] table(int id) {
        return id < byId.length ? byId[id] : null;
    }
}
