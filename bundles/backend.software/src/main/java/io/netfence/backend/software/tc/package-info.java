/**
 * The software tc dataplane: {@link io.netfence.backend.software.tc.SoftwareTcProvider} takes
 * blocks and filters through the tc offload SPI, compiles them at each commit into an immutable
 * snapshot (flower mask groups with hash tables, u32 tables, action steps) and runs them in two
 * packet stages, one per clsact hook. Internal: nothing here is exported.
 */
package io.netfence.backend.software.tc;
