/**
 * The tc model as Linux users know it from {@code tc}: qdiscs ({@code clsact}, {@code ingress})
 * with their hooks, blocks (a device hook's own, or shared by number), chains, filters ordered by
 * priority with their classifier ({@code flower}, {@code u32}, {@code matchall}), action lists
 * with shared actions by index, flags and counters; and {@link io.netfence.tc.api.TcService}, the
 * service that owns the tables and validates every change; {@link io.netfence.tc.api.PsampleService}, the
 * samples the {@code sample} action delivers.
 */
@Export
@Version("0.3.0")
package io.netfence.tc.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
