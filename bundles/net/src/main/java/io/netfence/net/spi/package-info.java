/**
 * What plugs into the dataplane: port drivers (one OSGi service per link type, e.g. pcap, tap,
 * gen, sink) and packet stages attached to the ingress and egress hooks of the packet path
 * (tc), listeners told when a link comes or goes, plus two helpers for driver authors: {@link io.netfence.net.spi.DriverArgs}
 * (argument parsing with iproute2-style refusals) and {@link io.netfence.net.spi.TokenBucket} (pacing).
 * Drivers and stages are whiteboard services; they may come and go at runtime.
 */
@Export
@Version("1.5.0")
package io.netfence.net.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
