package io.netfence.tc.internal;

import io.netfence.tc.api.BlockRef;
import java.util.ArrayList;
import java.util.List;

/**
 * A filter block: a device hook's own, or shared block N, which serves every hook whose qdisc
 * names it. Its {@link #id} is what providers know it by, unique for the core's lifetime, so a
 * block that dies and is made again under the same number is a new block to them.
 */
final class Block {
    final long id;
    /** N for shared block N, 0 for a hook's own block. */
    final long sharedIndex;
    /** The hook a non-shared block belongs to. */
    private final Binding owner;
    /** The device hooks the block serves, in the order they were bound. */
    final List<Binding> bindings = new ArrayList<>();
    final ChainTable chains = new ChainTable();

    private Block(long id, long sharedIndex, Binding owner) {
        this.id = id;
        this.sharedIndex = sharedIndex;
        this.owner = owner;
    }

    static Block own(long id, Binding owner) {
        return new Block(id, 0, owner);
    }

    static Block shared(long id, long index) {
        return new Block(id, index, null);
    }

    /** How tc names this block: {@code block N}, or the device hook it belongs to. */
    BlockRef ref() {
        return sharedIndex != 0 ? BlockRef.shared(sharedIndex) : BlockRef.of(owner.dev(), owner.hook());
    }

    /** The devices the block serves, for messages: {@code eth0}, {@code eth0, eth1}. */
    String devices() {
        List<String> devs = new ArrayList<>();
        for (Binding b : bindings) {
            if (!devs.contains(b.dev())) {
                devs.add(b.dev());
            }
        }
        return String.join(", ", devs);
    }

    @Override
    public String toString() {
        return ref().toString();
    }
}
