package io.netfence.features.api;

import java.util.List;

/** Lists, installs and uninstalls features while the appliance runs. Thread-safe. */
public interface FeatureService {

    /** Every feature descriptor found, installed or not, sorted by name. */
    List<FeatureInfo> features();

    /** Throws FeatureException if no feature has that name. */
    FeatureInfo feature(String name);

    /**
     * Installs and starts the feature's bundles (in start order) and applies its configurations.
     * Installing an installed feature is a no-op. On failure, what this call installed is removed.
     */
    FeatureInfo install(String name);

    /**
     * Stops and uninstalls the feature's bundles that no other installed feature needs, and deletes
     * its configurations. Uninstalling a feature that is not installed is refused.
     */
    FeatureInfo uninstall(String name);
}
