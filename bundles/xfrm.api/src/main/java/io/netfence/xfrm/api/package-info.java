/**
 * The xfrm (IPsec) model shared by the control plane, the shell and the backends: SAs
 * ({@link io.netfence.xfrm.api.XfrmState}), policies, selectors, templates, lifetimes, encap,
 * marks, offload settings; the SAD/SPD service ({@link io.netfence.xfrm.api.XfrmService}); and
 * the sequence-number rules every ESP implementation applies identically
 * ({@link io.netfence.xfrm.api.ReplayWindow}, {@link io.netfence.xfrm.api.OutboundSequence}).
 */
@Export
@Version("0.5.0")
package io.netfence.xfrm.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
