/**
 * The xfrm offload SPI ({@link io.netfence.xfrm.spi.XfrmOffloadProvider}, the shape of Linux's
 * {@code xfrmdev_ops}) that backends implement; refusals carry reasons.
 */
@Export
@Version("0.2.0")
package io.netfence.xfrm.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
