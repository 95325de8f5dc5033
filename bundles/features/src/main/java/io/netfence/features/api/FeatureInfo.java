package io.netfence.features.api;

import java.util.List;

/**
 * A feature known to the appliance. {@code name} is the short name operators type
 * ({@code netfence-shell}); {@code id} the Maven-style identifier from the descriptor;
 * {@code bundles} the bundle identifiers in start order; {@code installed} whether it is active now;
 * {@code boot} whether the appliance installs it at start.
 */
public record FeatureInfo(String name, String id, String title, String description, List<String> bundles,
                          boolean installed, boolean boot) {
    public FeatureInfo {
        bundles = List.copyOf(bundles);
    }
}
