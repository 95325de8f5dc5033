/**
 * The xfrm (IPsec) model shared by the control plane, the software backend and the device
 * backends. Version 0.x while it grows (issue 3): so far the sequence-number rules every ESP
 * implementation must apply identically, {@link io.netfence.xfrm.api.ReplayWindow} and
 * {@link io.netfence.xfrm.api.OutboundSequence}.
 */
@Export
@Version("0.1.0")
package io.netfence.xfrm.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
