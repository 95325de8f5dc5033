/**
 * The tc offload SPI ({@link io.netfence.tc.spi.TcOffloadProvider}, the shape of Linux's
 * {@code flow_block_offload} and {@code flow_cls_offload}): blocks bound to devices, filters
 * replaced and destroyed, statistics read back; refusals carry reasons.
 */
@Export
@Version("0.1.0")
package io.netfence.tc.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
