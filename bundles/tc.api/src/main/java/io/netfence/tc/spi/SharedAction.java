package io.netfence.tc.spi;

import io.netfence.tc.api.Action;

/**
 * An installed action (never an {@link io.netfence.tc.api.ActionRef}) with the identity that makes
 * it shared: the same {@code kind}/{@code index} is the same object in every filter that binds it.
 */
public record SharedAction(Action action) {
    public String kind() {
        return action.kind();
    }

    public int index() {
        return action.index();
    }
}
