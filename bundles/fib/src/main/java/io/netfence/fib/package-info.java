/**
 * Longest-prefix-match tables for the forwarding dataplane: {@link io.netfence.fib.Ipv4Fib}
 * (DIR-24-8) and {@link io.netfence.fib.Ipv6Fib} (a /16 directory over a multibit trie with
 * 8-bit strides and short route lists for sparse blocks). Both map prefixes to next-hop ids; lookups are lock-free and allocation-free and
 * may run on any number of threads while one control-plane thread at a time updates the table.
 */
@Export
@Version("1.0.0")
package io.netfence.fib;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
