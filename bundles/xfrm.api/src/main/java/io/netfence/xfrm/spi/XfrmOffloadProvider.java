package io.netfence.xfrm.spi;

import io.netfence.packet.PacketBuffer;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;

/**
 * The xfrm offload contract, in the shape of Linux's {@code xfrmdev_ops}, implemented by every
 * backend (the software one included) and registered as an OSGi service with the property
 * {@value #BACKEND_PROPERTY}. The core owns the SAD/SPD, validation and the dynamic SA state; a
 * backend programs, runs and counts what it is given, and says why when it cannot.
 *
 * <p>Call order for an SA: {@code stateAdd}, then any number of {@code offloadOk} /
 * {@code stateAdvanceEsn} / {@code stateUpdateStats}, then {@code stateDelete} (no new packets), a
 * grace period (packets in flight finish), then {@code stateFree}. Policies likewise.
 */
public interface XfrmOffloadProvider {
    String BACKEND_PROPERTY = "netfence.backend";

    /** The backend's name, e.g. "software". */
    String name();

    /** {@code xdo_dev_state_add}: validate against what the backend can do, and program the SA. */
    OffloadedState stateAdd(XfrmState state, SaContext context) throws OffloadRefusal;

    /** {@code xdo_dev_state_delete}: stop using the SA; packets already in flight may finish. */
    void stateDelete(OffloadedState state);

    /** {@code xdo_dev_state_free}: release everything; called after the last reference is gone. */
    void stateFree(OffloadedState state);

    /** {@code xdo_dev_offload_ok}: may this packet be sent through the backend on this SA? */
    boolean offloadOk(OffloadedState state, PacketBuffer packet);

    /** {@code xdo_dev_state_advance_esn}: the high 32 bits of the ESN moved on. */
    void stateAdvanceEsn(OffloadedState state);

    /** {@code xdo_dev_state_update_stats}: fold what the device counted into the SA's counters. */
    void stateUpdateStats(OffloadedState state);

    /** {@code xdo_dev_policy_add}: packet offload only; the software backend accepts every policy. */
    OffloadedPolicy policyAdd(XfrmPolicy policy) throws OffloadRefusal;

    void policyDelete(OffloadedPolicy policy);

    void policyFree(OffloadedPolicy policy);
}
