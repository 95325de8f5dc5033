/**
 * Features: named sets of bundles with their configuration, described by OSGi Feature JSON
 * files (Compendium R8, chapter 159) in the appliance's {@code features/} folder, installed and
 * uninstalled at runtime.
 */
@Export
@Version("1.0.0")
package io.netfence.features.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
