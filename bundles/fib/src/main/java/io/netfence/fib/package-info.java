/**
 * Longest-prefix-match tables for the forwarding dataplane: {@link io.netfence.fib.Ipv4Fib}
 * (DIR-24-8) and {@link io.netfence.fib.Ipv6Fib} (per-length hash tables under a /16
 * directory). Both map prefixes to next-hop ids; lookups are lock-free and allocation-free and
 * may run on any number of threads while one control-plane thread at a time updates the table.
 */
@Export
@Version("1.0.0")
package io.netfence.fib;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
