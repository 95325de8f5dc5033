/**
 * Reading feature descriptors and installing their bundles into a framework. Plain Java over the
 * OSGi framework API so the launcher (outside the framework) and the runtime feature service
 * (inside it) share one implementation. Exported so the launcher and tests can name the classes;
 * it is not an API for other bundles.
 */
@Export
@Version("1.0.0")
package io.netfence.features.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
