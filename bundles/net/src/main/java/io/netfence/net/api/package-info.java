/**
 * The control-plane API of the forwarding dataplane: links, addresses, routes, neighbours,
 * workers and their counters. The shell and tests drive the dataplane only through
 * {@link io.netfence.net.api.NetService}. Every mutating call either succeeds completely or throws
 * {@link io.netfence.net.api.NetException} and changes nothing.
 */
@Export
@Version("1.0.0")
package io.netfence.net.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
