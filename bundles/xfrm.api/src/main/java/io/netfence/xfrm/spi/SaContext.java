package io.netfence.xfrm.spi;

import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;

/**
 * The dynamic state of an SA, owned by the core so that it survives a move between backends: the
 * outbound sequence (durable, never wrapping) for an outbound SA, the replay window for an
 * inbound one. A backend uses them; it never creates its own.
 *
 * @param outbound used when this appliance sends on the SA (null when it only receives)
 * @param inbound  used when it receives on the SA (null when it only sends)
 */
public record SaContext(OutboundSequence outbound, ReplayWindow inbound) {
}
