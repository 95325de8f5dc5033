package io.netfence.tc.internal;

import io.netfence.tc.spi.TcOffloadProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The undo log of one mutation. Every change to the tables and every call that changed a
 * provider records its inverse here, so a refusal part-way through (a duplicate handle at the
 * 50,000th filter of a batch, a device refusing a skip_sw filter) puts the core and every provider
 * back exactly as they were. It also remembers which providers were called, so each is committed
 * once at the end.
 */
final class Journal {
    private final List<Runnable> undo = new ArrayList<>();
    private final Set<TcOffloadProvider> touched = Collections.newSetFromMap(new IdentityHashMap<>());

    /** Records how to reverse the change just made. */
    void undo(Runnable inverse) {
        undo.add(inverse);
    }

    /** Records that {@code provider} received a call in this mutation. */
    void touched(TcOffloadProvider provider) {
        touched.add(provider);
    }

    Set<TcOffloadProvider> touched() {
        return touched;
    }

    /**
     * Runs every inverse, newest first. One failing inverse (a provider throwing on the way back)
     * does not stop the others: {@code onFailure} hears about it.
     */
    void rollback(Consumer<RuntimeException> onFailure) {
        for (int i = undo.size() - 1; i >= 0; i--) {
            try {
                undo.get(i).run();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        }
        undo.clear();
    }
}
